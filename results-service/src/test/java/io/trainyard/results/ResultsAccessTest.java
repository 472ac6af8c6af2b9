package io.trainyard.results;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.trainyard.contracts.RunCompleted;
import io.trainyard.contracts.RunProgressed;
import io.trainyard.contracts.RunRef;
import io.trainyard.contracts.RunStarted;
import io.trainyard.contracts.Visibility;
import io.trainyard.contracts.testing.TestTokens;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The results service verifies tokens and applies the scheduler's visibility rules, from the owner and visibility
 * that the run events carry: the role × endpoint matrix, and Alice's experiments seen by Bob, Vic and Ada.
 */
@QuarkusTest
class ResultsAccessTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TestHTTPResource("/")
    URL root;

    /** Who calls. */
    enum Who {
        ADMIN(r -> r.auth().oauth2(TestTokens.token("ada", "admin"))),
        RESEARCHER(r -> r.auth().oauth2(TestTokens.token("rita", "researcher"))),
        VIEWER(r -> r.auth().oauth2(TestTokens.token("vic", "viewer"))),
        NO_TOKEN(r -> r.auth().none()),
        STRANGER_KEY(r -> r.auth().oauth2(TestTokens.signedByStranger("ada", "admin"))),
        EXPIRED(r -> r.auth().oauth2(TestTokens.expired("ada", "admin"))),
        UNKNOWN_ROLE(r -> r.auth().oauth2(TestTokens.token("ivan", "intern")));

        final Function<RequestSpecification, RequestSpecification> auth;

        Who(Function<RequestSpecification, RequestSpecification> auth) {
            this.auth = auth;
        }

        RequestSpecification given() {
            return auth.apply(io.restassured.RestAssured.given());
        }
    }

    /** An endpoint and what an authorised caller gets for a shared experiment with one completed run. */
    enum Endpoint {
        RESULTS("GET /experiments/{id}/results", 200, r -> r.get("/experiments/" + shared + "/results")),
        RESULTS_CSV("GET /experiments/{id}/results.csv", 200, r -> r.get("/experiments/" + shared + "/results.csv")),
        SUMMARY("GET /experiments/{id}/summary", 200, r -> r.get("/experiments/" + shared + "/summary")),
        BEST("GET /experiments/{id}/best", 200, r -> r.get("/experiments/" + shared + "/best")),
        RUNS("GET /experiments/{id}/runs", 200, r -> r.get("/experiments/" + shared + "/runs")),
        PARTITIONS("GET /experiments/{id}/partitions", 200, r -> r.get("/experiments/" + shared + "/partitions")),
        COMPARE("GET /experiments/{id}/compare", 200,
                r -> r.queryParam("runs", sharedRun.toString()).get("/experiments/" + shared + "/compare")),
        RUN("GET /runs/{runId}", 200, r -> r.get("/runs/" + sharedRun)),
        // no model was stored for these runs: an authorised caller gets as far as "no model"
        MODEL("GET /experiments/{id}/runs/{runId}/model", 404,
                r -> r.get("/experiments/" + shared + "/runs/" + sharedRun + "/model")),
        PREDICT("POST /experiments/{id}/runs/{runId}/predict", 404, r -> r.contentType(ContentType.JSON)
                .body("{\"values\":[1,2,3]}").post("/experiments/" + shared + "/runs/" + sharedRun + "/predict"));

        final String name;
        final int authorised;
        final Function<RequestSpecification, Response> call;

        Endpoint(String name, int authorised, Function<RequestSpecification, Response> call) {
            this.name = name;
            this.authorised = authorised;
            this.call = call;
        }

        int expected(Who who) {
            return switch (who) {
                case ADMIN, RESEARCHER, VIEWER -> authorised;
                case UNKNOWN_ROLE -> 403;
                default -> 401;
            };
        }
    }

    static UUID shared;
    static UUID sharedRun;

    static RunRef ref(UUID experiment, UUID run, long sequence, String owner, Visibility visibility) {
        return new RunRef(experiment, run, 1, sequence, "trainer-test", Instant.now().truncatedTo(ChronoUnit.MILLIS),
                owner, visibility);
    }

    /** Publishes a started, a progress and a completed event of one run and waits until the run is recorded. */
    static UUID publishRun(EventBroker broker, UUID experiment, String owner, Visibility visibility)
            throws Exception {
        UUID run = UUID.randomUUID();
        broker.publish(new RunStarted(ref(experiment, run, 1, owner, visibility), "city-1", 0, null, 1, null));
        broker.publish(new RunProgressed(ref(experiment, run, 2, owner, visibility), 1, 1, 0.5, 0.6, 0.01));
        broker.publish(new RunCompleted(ref(experiment, run, 3, owner, visibility), "city-1", 1,
                Events.metrics(1.0, 2.0, 0.1), "models/" + experiment + "/" + run + "/"));
        await().atMost(PATIENCE).until(() -> given().auth().oauth2(TestTokens.admin()).get("/runs/" + run)
                .then().extract().path("result") != null);
        return run;
    }

    @BeforeEach
    void sharedExperiment() throws Exception {
        if (sharedRun == null) {
            try (EventBroker broker = new EventBroker()) {
                UUID experiment = UUID.randomUUID();
                sharedRun = publishRun(broker, experiment, "rita", Visibility.SHARED);
                shared = experiment;
            }
        }
    }

    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (Endpoint endpoint : Endpoint.values()) {
            for (Who who : Who.values()) {
                cases.add(Arguments.of(endpoint, who, endpoint.expected(who)));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} as {1} -> {2}")
    @MethodSource("matrix")
    void eachCallerGetsTheStatusOfItsRole(Endpoint endpoint, Who who, int expected) {
        Response response = endpoint.call.apply(who.given());
        assertThat(response.statusCode()).as("%s as %s: %s", endpoint.name, who, response.asString())
                .isEqualTo(expected);
        if (expected >= 400) {
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.jsonPath().getInt("status")).isEqualTo(expected);
        }
        if (expected == 401) {
            assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
        }
    }

    @ParameterizedTest(name = "{0} without a token -> 200")
    @MethodSource("publicPaths")
    void healthAndMetricsNeedNoToken(String path) {
        given().auth().none().get(path).then().statusCode(200);
    }

    static Stream<String> publicPaths() {
        return Stream.of("/q/health", "/q/health/ready", "/q/metrics");
    }

    static RequestSpecification as(String user, String role) {
        return given().auth().oauth2(TestTokens.token(user, role));
    }

    @Test
    void anotherUsersPrivateExperimentIsNotFoundHereEither() throws Exception {
        UUID experiment = UUID.randomUUID();
        UUID run;
        try (EventBroker broker = new EventBroker()) {
            run = publishRun(broker, experiment, "alice", Visibility.PRIVATE);
        }
        List<String> paths = List.of("/experiments/" + experiment + "/results",
                "/experiments/" + experiment + "/results.csv", "/experiments/" + experiment + "/summary",
                "/experiments/" + experiment + "/best", "/experiments/" + experiment + "/runs",
                "/experiments/" + experiment + "/partitions", "/runs/" + run,
                "/experiments/" + experiment + "/runs/" + run + "/model");
        for (String path : paths) {
            for (RequestSpecification other : List.of(as("bob", "researcher"), as("vic", "viewer"))) {
                Response response = other.get(path);
                assertThat(response.statusCode()).as(path).isEqualTo(404);
                assertThat(response.contentType()).startsWith("application/problem+json");
            }
        }
        // a run of a hidden experiment reads exactly like a run never heard of
        assertThat(as("bob", "researcher").get("/runs/" + run).jsonPath().getString("detail"))
                .isEqualTo("no event of run " + run + " has been recorded");

        as("alice", "researcher").get("/experiments/" + experiment + "/results").then().statusCode(200)
                .body("runs.size()", org.hamcrest.Matchers.equalTo(1));
        as("ada", "admin").get("/runs/" + run).then().statusCode(200);
        as("alice", "researcher").get("/experiments/" + experiment + "/runs/" + run + "/model").then()
                .statusCode(404).body("detail", org.hamcrest.Matchers.containsString("model"));
    }

    @Test
    void experimentsWhoseEventsNameNoOwnerStayReadableByEveryone() throws Exception {
        UUID experiment = UUID.randomUUID();
        try (EventBroker broker = new EventBroker()) {
            publishRun(broker, experiment, null, null);
        }
        as("vic", "viewer").get("/experiments/" + experiment + "/results").then().statusCode(200)
                .body("runs.size()", org.hamcrest.Matchers.equalTo(1));
    }

    @Test
    void theLiveStreamOfAPrivateExperimentShowsNothingToOthers() throws Exception {
        UUID experiment = UUID.randomUUID();
        List<String> alice = new CopyOnWriteArrayList<>();
        List<String> bob = new CopyOnWriteArrayList<>();
        // both subscribe before any event: nothing is known about the experiment yet, each event decides
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        CompletableFuture<HttpResponse<Stream<String>>> aliceStream = subscribe(client, experiment, "alice");
        CompletableFuture<HttpResponse<Stream<String>>> bobStream = subscribe(client, experiment, "bob");
        Thread.ofVirtual().start(() -> read(aliceStream, alice));
        Thread.ofVirtual().start(() -> read(bobStream, bob));
        try (EventBroker broker = new EventBroker()) {
            UUID run = UUID.randomUUID();
            int[] epoch = {0};
            // an event without owner (as from before owners) reaches both: then both streams are surely open
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(300)).until(() -> {
                broker.publish(new RunProgressed(ref(experiment, run, ++epoch[0], null, null), epoch[0], 100, 0.5,
                        0.6, 0.01));
                return dataLines(alice) > 0 && dataLines(bob) > 0;
            });
            for (int i = 0; i < 3; i++) {
                broker.publish(new RunProgressed(ref(experiment, run, ++epoch[0], "alice", Visibility.PRIVATE),
                        epoch[0], 100, 0.5, 0.6, 0.01));
            }
            String lastPrivate = "\"epoch\":" + epoch[0] + ",";
            await().atMost(PATIENCE).until(() -> alice.stream().anyMatch(line -> line.contains(lastPrivate)));
            // a later event Bob may see arrives after the private ones: his stream kept flowing past them
            broker.publish(new RunProgressed(ref(experiment, run, ++epoch[0], null, null), epoch[0], 100, 0.5, 0.6,
                    0.01));
            String marker = "\"epoch\":" + epoch[0] + ",";
            await().atMost(PATIENCE).until(() -> bob.stream().anyMatch(line -> line.contains(marker)));
            assertThat(bob).as("Alice's private events on Bob's open stream")
                    .noneMatch(line -> line.contains("\"owner\":\"alice\""));
            assertThat(alice).anyMatch(line -> line.contains("\"owner\":\"alice\""));
        } finally {
            aliceStream.cancel(true);
            bobStream.cancel(true);
        }
        // once the experiment is known as Alice's, Bob is refused at the door
        HttpResponse<String> refused = client.send(HttpRequest.newBuilder(URI.create(root + "experiments/"
                + experiment + "/events")).header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + TestTokens.token("bob", "researcher")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(404);
    }

    private static long dataLines(List<String> lines) {
        return lines.stream().filter(line -> line.startsWith("data:")).count();
    }

    private CompletableFuture<HttpResponse<Stream<String>>> subscribe(HttpClient client, UUID experiment,
            String user) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create(root + "experiments/" + experiment + "/events"))
                .header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + TestTokens.token(user, "researcher")).build(),
                HttpResponse.BodyHandlers.ofLines());
    }

    private static void read(CompletableFuture<HttpResponse<Stream<String>>> response, List<String> lines) {
        try {
            response.get().body().forEach(lines::add);
        } catch (Exception closed) {
            // the test cancelled the stream
        }
    }

    @Test
    void aSseRequestWithoutTokenIsRefusedWithAProblem() throws Exception {
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(URI.create(root
                + "experiments/" + UUID.randomUUID() + "/events")).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("application/problem+json"));
        assertThat(Map.of("body", response.body())).extractingByKey("body").asString().contains("bearer token");
    }
}
