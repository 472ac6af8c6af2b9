package io.trainyard.scheduler.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.TrainRun;
import io.trainyard.contracts.Visibility;
import io.trainyard.contracts.testing.TestTokens;
import io.trainyard.scheduler.testing.Api;
import io.trainyard.scheduler.testing.Broker;
import io.trainyard.scheduler.testing.Problems;
import io.trainyard.storage.Keys;
import io.trainyard.storage.ObjectStore;
import io.trainyard.storage.testing.S3ProxyResource;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Alice's things seen by Bob (another researcher), Vic (a viewer) and Ada (an admin): private ones do not exist for
 * Bob and Vic (404, and absent from listings), shared ones can be read but not changed (403), admins do anything.
 */
@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
class CrossTenantTest {

    @Inject
    ObjectStore objects;

    static RequestSpecification alice() {
        return given().auth().oauth2(TestTokens.token("alice", "researcher"));
    }

    static RequestSpecification bob() {
        return given().auth().oauth2(TestTokens.token("bob", "researcher"));
    }

    static RequestSpecification vic() {
        return given().auth().oauth2(TestTokens.token("vic", "viewer"));
    }

    static RequestSpecification ada() {
        return given().auth().oauth2(TestTokens.token("ada", "admin"));
    }

    static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A dataset of Alice's with the given visibility. */
    static String aliceDataset(String visibility) {
        String dataset = id("alice-" + visibility);
        alice().contentType(ContentType.JSON)
                .body(Map.of("id", dataset, "cities", 2, "days", 90, "seed", 3, "visibility", visibility))
                .post("/datasets/demo").then().statusCode(201)
                .body("owner", org.hamcrest.Matchers.equalTo("alice"))
                .body("visibility", org.hamcrest.Matchers.equalTo(visibility));
        return dataset;
    }

    static UUID aliceExperiment(String dataset, String visibility) {
        Map<String, Object> spec = Api.spec(dataset);
        spec.put("visibility", visibility);
        return UUID.fromString(alice().contentType(ContentType.JSON).body(spec).post("/experiments").then()
                .statusCode(201).extract().path("id"));
    }

    @AfterAll
    static void purge() {
        Broker.purgeTestPool();
    }

    @Test
    void anotherUsersPrivateExperimentDoesNotExistForResearchersAndViewers() {
        UUID experiment = aliceExperiment(aliceDataset("private"), "private");
        UUID run = UUID.fromString(alice().get("/experiments/" + experiment + "/runs").then().statusCode(200)
                .extract().path("[0].id"));

        for (RequestSpecification other : List.of(bob(), vic())) {
            Problems.assertProblem(other.get("/experiments/" + experiment), 404);
        }
        Problems.assertProblem(bob().get("/experiments/" + experiment + "/runs"), 404);
        Problems.assertProblem(bob().get("/experiments/" + experiment + "/runs/" + run), 404);
        Problems.assertProblem(bob().contentType(ContentType.JSON).body("{}")
                .post("/experiments/" + experiment + "/cancel"), 404);
        Problems.assertProblem(bob().contentType(ContentType.JSON).body("{}")
                .post("/experiments/" + experiment + "/runs/" + run + "/cancel"), 404);
        // the same answer as for an id that exists nowhere: nothing tells the two apart
        Response unknown = bob().get("/experiments/" + UUID.randomUUID());
        Problems.assertProblem(unknown, 404);
        assertThat(bob().get("/experiments/" + experiment).jsonPath().getString("title"))
                .isEqualTo(unknown.jsonPath().getString("title"));

        assertThat(listedIds(bob())).doesNotContain(experiment.toString());
        assertThat(listedIds(vic())).doesNotContain(experiment.toString());
        assertThat(listedIds(alice())).contains(experiment.toString());
        assertThat(listedIds(ada())).contains(experiment.toString());

        alice().get("/experiments/" + experiment).then().statusCode(200)
                .body("owner", org.hamcrest.Matchers.equalTo("alice"))
                .body("visibility", org.hamcrest.Matchers.equalTo("private"));
        ada().get("/experiments/" + experiment + "/runs/" + run).then().statusCode(200);
        assertThat(alice().get("/experiments/" + experiment).jsonPath().getString("status"))
                .as("Bob's attempts changed nothing").isNotEqualTo("cancelled");
    }

    @Test
    void aSharedExperimentIsReadByAllButCancelledOnlyByItsOwnerOrAnAdmin() {
        UUID experiment = aliceExperiment(aliceDataset("shared"), "shared");

        bob().get("/experiments/" + experiment).then().statusCode(200);
        vic().get("/experiments/" + experiment + "/runs").then().statusCode(200);
        assertThat(listedIds(bob())).contains(experiment.toString());

        Response refused = bob().contentType(ContentType.JSON).body("{}").post("/experiments/" + experiment
                + "/cancel");
        Problems.assertProblem(refused, 403);
        assertThat(refused.jsonPath().getString("detail")).contains("belongs to alice");
        Problems.assertProblem(vic().contentType(ContentType.JSON).body("{}")
                .post("/experiments/" + experiment + "/cancel"), 403);
        assertThat(alice().get("/experiments/" + experiment).jsonPath().getString("status"))
                .isNotEqualTo("cancelled");

        ada().contentType(ContentType.JSON).body(Map.of("reason", "admin")).post("/experiments/" + experiment
                + "/cancel").then().statusCode(202).body("status", org.hamcrest.Matchers.equalTo("cancelled"));
    }

    @Test
    void theOwnerAndVisibilityTravelInTheCommands() {
        Broker broker = Broker.connect();
        try {
            List<Broker.Delivery> deliveries = broker.observeCommands();
            UUID experiment = aliceExperiment(aliceDataset("shared"), "shared");
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> deliveries.stream()
                    .map(d -> Messages.decodeCommand(d.body())).anyMatch(c -> c.experimentId().equals(experiment)));
            TrainRun command = deliveries.stream().map(d -> Messages.decodeCommand(d.body()))
                    .filter(c -> c.experimentId().equals(experiment)).findFirst().orElseThrow();
            assertThat(command.owner()).isEqualTo("alice");
            assertThat(command.visibility()).isEqualTo(Visibility.SHARED);
        } finally {
            broker.close();
        }
    }

    @Test
    void aPrivateDatasetOfAnotherUserCannotBeSeenTrainedOnOrTakenOver() {
        String dataset = aliceDataset("private");

        Problems.assertProblem(bob().get("/datasets/" + dataset), 404);
        Problems.assertProblem(vic().get("/datasets/" + dataset), 404);
        assertThat(listedDatasets(bob())).doesNotContain(dataset);
        assertThat(listedDatasets(alice())).contains(dataset);
        assertThat(listedDatasets(ada())).contains(dataset);

        // training on it reads like a dataset that does not exist: no columns or partitions leak
        Map<String, Object> spec = Api.spec(dataset);
        spec.put("targetColumn", "nope");
        Map<String, String> violations = Problems.violations(bob().contentType(ContentType.JSON).body(spec)
                .post("/experiments"));
        assertThat(violations).containsKey("dataset").doesNotContainKey("targetColumn");
        assertThat(violations.get("dataset")).contains("no dataset");

        for (String replace : List.of("false", "true")) {
            Response taken = bob().contentType("text/csv").body("date,demand\n2024-01-01,1\n")
                    .queryParam("id", dataset).queryParam("replace", replace).post("/datasets");
            Problems.assertProblem(taken, 409);
            assertThat(taken.jsonPath().getString("detail")).contains("taken");
        }
        Problems.assertProblem(bob().contentType(ContentType.JSON).body(Map.of("id", dataset, "cities", 2))
                .post("/datasets/demo"), 409);
        alice().get("/datasets/" + dataset).then().statusCode(200).body("rows", org.hamcrest.Matchers.equalTo(180));
    }

    @Test
    void aSharedDatasetIsUsedByOthersButReplacedOnlyByItsOwnerOrAnAdmin() {
        String dataset = aliceDataset("shared");

        bob().get("/datasets/" + dataset).then().statusCode(200);
        assertThat(listedDatasets(vic())).contains(dataset);
        Map<String, Object> spec = Api.spec(dataset);
        UUID bobs = UUID.fromString(bob().contentType(ContentType.JSON).body(spec).post("/experiments").then()
                .statusCode(201).extract().path("id"));
        bob().get("/experiments/" + bobs).then().body("owner", org.hamcrest.Matchers.equalTo("bob"))
                .body("visibility", org.hamcrest.Matchers.equalTo("private"));
        Problems.assertProblem(alice().get("/experiments/" + bobs), 404);

        Response refused = bob().contentType("text/csv").body("date,demand\n2024-01-01,1\n")
                .queryParam("id", dataset).queryParam("replace", "true").post("/datasets");
        Problems.assertProblem(refused, 403);
        assertThat(refused.jsonPath().getString("detail")).contains("belongs to alice");
        Problems.assertProblem(bob().contentType("text/csv").body("date,demand\n2024-01-01,1\n")
                .queryParam("id", dataset).post("/datasets"), 409);

        ada().contentType("text/csv").body("date,demand\n2024-01-01,1\n").queryParam("id", dataset)
                .queryParam("replace", "true").queryParam("visibility", "shared").post("/datasets").then()
                .statusCode(201).body("owner", org.hamcrest.Matchers.equalTo("ada"));
    }

    @Test
    void aDatasetFromBeforeOwnersIsReadByAllAndReplacedByAdminsOnly() {
        String dataset = id("legacy");
        String meta = """
                {"id":"%s","rows":1,"columns":[{"name":"date","type":"date"},{"name":"demand","type":"number"}],
                 "partitionColumn":null,"partitions":[],"bytes":30,"createdAt":"2026-11-01T10:00:00Z"}
                """.formatted(dataset);
        objects.put(Keys.datasetCsv(dataset), "date,demand\n2024-01-01,1\n".getBytes(StandardCharsets.UTF_8),
                "text/csv");
        objects.put(Keys.datasetMeta(dataset), meta.getBytes(StandardCharsets.UTF_8), "application/json");

        vic().get("/datasets/" + dataset).then().statusCode(200).body("rows", org.hamcrest.Matchers.equalTo(1));
        assertThat(listedDatasets(bob())).contains(dataset);
        Problems.assertProblem(bob().contentType("text/csv").body("date,demand\n2024-01-01,2\n")
                .queryParam("id", dataset).queryParam("replace", "true").post("/datasets"), 403);
        ada().contentType("text/csv").body("date,demand\n2024-01-01,2\n").queryParam("id", dataset)
                .queryParam("replace", "true").post("/datasets").then().statusCode(201);
    }

    private static List<String> listedIds(RequestSpecification who) {
        return who.queryParam("size", 100).get("/experiments").then().statusCode(200).extract().jsonPath()
                .getList("items.id");
    }

    private static List<String> listedDatasets(RequestSpecification who) {
        // more than one page of datasets may exist by now: walk them
        List<String> ids = new java.util.ArrayList<>();
        for (int page = 0; page < 100; page++) {
            List<String> items = given().spec(who).queryParam("page", page).queryParam("size", 100).get("/datasets")
                    .then().statusCode(200).extract().jsonPath().getList("items.id");
            ids.addAll(items);
            if (items.size() < 100) {
                break;
            }
        }
        return ids;
    }
}
