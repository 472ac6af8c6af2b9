package io.trainyard.results;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.trainyard.contracts.Visibility;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.sessions.JqwikSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Thousands of generated query parameters, ids and prediction bodies against the results API: never a 5xx, every
 * 4xx a problem+json body, and the service healthy afterwards. Generated with jqwik's generators from a fixed seed
 * (its engine cannot host a {@code @QuarkusTest}).
 */
@QuarkusTest
class HostileQueryTest {

    final Random random = new Random(20261123L);
    final List<String> failures = new ArrayList<>();
    final java.util.Map<Integer, Integer> statuses = new java.util.TreeMap<>();

    /** jqwik's generators need a session of their own outside jqwik's engine. */
    @org.junit.jupiter.api.BeforeEach
    void startJqwik() {
        JqwikSession.start();
    }

    @AfterEach
    void finishJqwik() {
        JqwikSession.finish();
    }

    <T> T draw(Arbitrary<T> arbitrary) {
        return arbitrary.generator(1000, true).next(random).value();
    }

    String hostile() {
        return draw(Arbitraries.oneOf(
                Arbitraries.of("0", "1", "-1", "1000", "1001", "2147483647", "2147483648", "1e3", "", " ", "mae",
                        "rmse", "mape", "r2", "minimize", "maximize", "MAE", "%", "'; select pg_sleep(5);--",
                        "../../etc/passwd", "\u0000", "NaN"),
                // short enough that a request line stays within the HTTP server's 4 KiB (longer ones are cut off
                // by Vert.x before any of trainyard's code runs)
                Arbitraries.strings().all().ofMaxLength(50),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.create(UUID::randomUUID).map(UUID::toString),
                Arbitraries.create(UUID::randomUUID).list().ofMaxSize(10).map(ids -> String.join(",",
                        ids.stream().map(UUID::toString).toList()))));
    }

    void check(String request, Supplier<Response> send) {
        String what = request.length() > 200 ? request.substring(0, 200) + "..." : request;
        Response response;
        try {
            response = send.get();
        } catch (Exception e) { // REST Assured rethrows I/O exceptions unchecked
            failures.add(what + ": the request itself failed: " + e);
            return;
        }
        int status = response.statusCode();
        statuses.merge(status, 1, Integer::sum);
        if (status >= 500) {
            failures.add(what + " -> " + status + ": " + response.asString());
        } else if (status >= 400) {
            String type = response.contentType();
            if (type == null || !type.startsWith("application/problem+json")
                    || response.jsonPath().getInt("status") != status) {
                failures.add(what + " -> " + status + " without a problem+json body (" + type + "): "
                        + response.asString());
            }
        }
    }

    @Test
    void generatedParametersIdsAndBodiesNeverBreakTheResultsService() throws Exception {
        UUID experiment = UUID.randomUUID();
        UUID run;
        try (EventBroker broker = new EventBroker()) {
            run = ResultsAccessTest.publishRun(broker, experiment, "rita", Visibility.SHARED);
        }
        String[] endpoints = {"results", "results.csv", "summary", "best", "runs", "partitions", "compare"};
        int n = 0;
        for (int i = 0; i < 1_500; i++, n++) {
            String a = hostile();
            String b = hostile();
            String endpoint = endpoints[random.nextInt(endpoints.length)];
            String id = random.nextInt(4) == 0 ? a : experiment.toString();
            switch (i % 4) {
                case 0, 1 -> check("GET /experiments/" + id + "/" + endpoint + "?page=" + a + "&size=" + b,
                        () -> given().queryParam("page", a).queryParam("size", b).queryParam("metric", b)
                                .queryParam("direction", a).queryParam("runs", random.nextBoolean() ? a
                                        : run + "," + b)
                                .get("/experiments/{id}/" + endpoint, id));
                case 2 -> check("GET /runs/" + a, () -> given().get("/runs/{id}", a));
                default -> {
                    String body = draw(Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(500),
                            Arbitraries.of("{\"values\":[1,2,3]}", "{\"rows\":[{}]}", "[]", "null", "{",
                                    "{\"values\":" + "[".repeat(3000) + "}")));
                    check("POST predict " + body.substring(0, Math.min(80, body.length())), () -> given()
                            .contentType(ContentType.JSON).body(body.getBytes(StandardCharsets.UTF_8))
                            .post("/experiments/{id}/runs/{run}/predict", id, random.nextBoolean() ? run : b));
                }
            }
        }
        System.out.printf("%d generated requests, answers by status: %s%n", n, statuses);
        assertThat(n).isEqualTo(1_500);
        assertThat(statuses).containsKeys(200, 400, 404);
        assertThat(failures).as("%d of %d requests answered badly", failures.size(), n).isEmpty();
        given().auth().none().get("/q/health/ready").then().statusCode(200);
        given().get("/experiments/{id}/results", experiment).then().statusCode(200)
                .body("runs.size()", org.hamcrest.Matchers.equalTo(1));
    }
}
