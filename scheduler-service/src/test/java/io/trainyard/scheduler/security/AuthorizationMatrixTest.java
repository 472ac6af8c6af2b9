package io.trainyard.scheduler.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.trainyard.contracts.testing.TestTokens;
import io.trainyard.scheduler.testing.Api;
import io.trainyard.scheduler.testing.Broker;
import io.trainyard.storage.testing.S3ProxyResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every endpoint of the scheduler against every kind of caller: each role, no token, and tokens that must not pass
 * (signed by a stranger, expired, from another issuer, without a known role). The fixtures belong to the researcher
 * and are shared, so what decides the answer here is the role alone; ownership has {@link CrossTenantTest}.
 */
@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
class AuthorizationMatrixTest {

    static final String RESEARCHER = "rita";

    /** Who calls: a way to authenticate a request. */
    enum Who {
        ADMIN(r -> r.auth().oauth2(TestTokens.token("ada", "admin"))),
        RESEARCHER(r -> r.auth().oauth2(TestTokens.token(AuthorizationMatrixTest.RESEARCHER, "researcher"))),
        VIEWER(r -> r.auth().oauth2(TestTokens.token("vic", "viewer"))),
        NO_TOKEN(r -> r.auth().none()),
        STRANGER_KEY(r -> r.auth().oauth2(TestTokens.signedByStranger("ada", "admin"))),
        EXPIRED(r -> r.auth().oauth2(TestTokens.expired("ada", "admin"))),
        OTHER_ISSUER(r -> r.auth().oauth2(TestTokens.fromIssuer("https://elsewhere", "ada", "admin"))),
        GARBAGE(r -> r.auth().none().header("Authorization", "Bearer not.a.jwt")),
        UNKNOWN_ROLE(r -> r.auth().oauth2(TestTokens.token("ivan", "intern")));

        final Function<RequestSpecification, RequestSpecification> auth;

        Who(Function<RequestSpecification, RequestSpecification> auth) {
            this.auth = auth;
        }

        RequestSpecification given() {
            return auth.apply(io.restassured.RestAssured.given());
        }
    }

    /** One endpoint and the status each caller gets: admin, researcher, viewer; 401 or 403 for the rest. */
    enum Endpoint {
        SUBMIT("POST /experiments", 201, 201, 403,
                r -> r.contentType(ContentType.JSON).body(spec()).post("/experiments")),
        LIST_EXPERIMENTS("GET /experiments", 200, 200, 200, r -> r.get("/experiments")),
        GET_EXPERIMENT("GET /experiments/{id}", 200, 200, 200, r -> r.get("/experiments/" + experiment)),
        LIST_RUNS("GET /experiments/{id}/runs", 200, 200, 200, r -> r.get("/experiments/" + experiment + "/runs")),
        GET_RUN("GET /experiments/{id}/runs/{runId}", 200, 200, 200,
                r -> r.get("/experiments/" + experiment + "/runs/" + run)),
        CANCEL_EXPERIMENT("POST /experiments/{id}/cancel", 202, 202, 403,
                r -> r.contentType(ContentType.JSON).body("{}").post("/experiments/" + experiment + "/cancel")),
        CANCEL_RUN("POST /experiments/{id}/runs/{runId}/cancel", 202, 202, 403,
                r -> r.contentType(ContentType.JSON).body("{}")
                        .post("/experiments/" + experiment + "/runs/" + run + "/cancel")),
        DEMO_DATASET("POST /datasets/demo", 201, 201, 403,
                r -> r.contentType(ContentType.JSON).body(Map.of("id", "authz-demo-" + suffix(), "cities", 2,
                        "days", 60)).post("/datasets/demo")),
        UPLOAD_DATASET("POST /datasets", 201, 201, 403,
                r -> r.contentType("text/csv").body("date,demand\n2024-01-01,3\n")
                        .queryParam("id", "authz-up-" + suffix()).post("/datasets")),
        LIST_DATASETS("GET /datasets", 200, 200, 200, r -> r.get("/datasets")),
        GET_DATASET("GET /datasets/{id}", 200, 200, 200, r -> r.get("/datasets/" + dataset));

        final String name;
        final int admin;
        final int researcher;
        final int viewer;
        final Function<RequestSpecification, Response> call;

        Endpoint(String name, int admin, int researcher, int viewer,
                Function<RequestSpecification, Response> call) {
            this.name = name;
            this.admin = admin;
            this.researcher = researcher;
            this.viewer = viewer;
            this.call = call;
        }

        int expected(Who who) {
            return switch (who) {
                case ADMIN -> admin;
                case RESEARCHER -> researcher;
                case VIEWER -> viewer;
                case UNKNOWN_ROLE -> 403;
                default -> 401;
            };
        }
    }

    static String dataset;
    static UUID experiment;
    static UUID run;

    static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    static Map<String, Object> spec() {
        Map<String, Object> spec = Api.spec(dataset);
        spec.put("visibility", "shared");
        return spec;
    }

    /** Once per class, but in a @BeforeEach: Quarkus points REST Assured at the application only before each test. */
    @BeforeEach
    void fixtures() {
        if (run != null) {
            return;
        }
        String researcher = TestTokens.token(RESEARCHER, "researcher");
        dataset = "authz-" + suffix();
        given().auth().oauth2(researcher).contentType(ContentType.JSON)
                .body(Map.of("id", dataset, "cities", 2, "days", 90, "seed", 3, "visibility", "shared"))
                .post("/datasets/demo").then().statusCode(201);
        experiment = UUID.fromString(given().auth().oauth2(researcher).contentType(ContentType.JSON).body(spec())
                .post("/experiments").then().statusCode(201).extract().path("id"));
        run = UUID.fromString(given().auth().oauth2(researcher).get("/experiments/" + experiment + "/runs").then()
                .statusCode(200).extract().path("[0].id"));
    }

    @AfterAll
    static void purge() {
        Broker.purgeTestPool();
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
            assertThat(response.jsonPath().getString("detail")).isNotBlank();
        }
        if (expected == 401) {
            assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
        }
    }

    static Stream<Arguments> publicEndpoints() {
        return Stream.of("/q/health", "/q/health/ready", "/q/health/live", "/q/metrics", "/q/openapi")
                .flatMap(path -> Stream.of(Who.NO_TOKEN, Who.GARBAGE, Who.VIEWER).map(who -> Arguments.of(path, who)));
    }

    @ParameterizedTest(name = "{0} as {1} -> 200")
    @MethodSource("publicEndpoints")
    void healthMetricsAndTheOpenApiDocumentNeedNoToken(String path, Who who) {
        who.given().get(path).then().statusCode(200);
    }
}
