package io.trainyard.scheduler.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.trainyard.scheduler.testing.Api;
import io.trainyard.storage.testing.S3ProxyResource;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
class ExperimentValidationTest {

    /** The violations of a 400 problem+json answer, by field. */
    private static Map<String, String> violations(Response response) {
        response.then().statusCode(400).contentType("application/problem+json");
        assertThat(response.jsonPath().getInt("status")).isEqualTo(400);
        assertThat(response.jsonPath().getString("title")).isNotBlank();
        assertThat(response.jsonPath().getString("type")).isNotBlank();
        List<Map<String, String>> list = response.jsonPath().getList("violations");
        assertThat(list).isNotEmpty();
        assertThat(response.jsonPath().getString("detail")).contains(list.get(0).get("field"));
        return list.stream().collect(Collectors.toMap(v -> v.get("field"), v -> v.get("message")));
    }

    @Test
    void missingNameIsNamed() {
        Map<String, Object> spec = Api.spec(Api.demoDataset(2));
        spec.remove("name");
        assertThat(violations(Api.submit(spec))).containsOnlyKeys("name");
    }

    @Test
    void zeroEpochsIsNamed() {
        Map<String, Object> spec = Api.spec(Api.demoDataset(2));
        spec.put("training", Map.of("epochs", 0));
        assertThat(violations(Api.submit(spec))).containsOnlyKeys("training.epochs")
                .hasEntrySatisfying("training.epochs", m -> assertThat(m).contains("1"));
    }

    @Test
    void unknownModelKindListsTheKnownOnes() {
        Map<String, Object> spec = Api.spec(Api.demoDataset(2));
        spec.put("model", Map.of("kind", "transformer"));
        assertThat(violations(Api.submit(spec))).containsOnlyKeys("model.kind")
                .hasEntrySatisfying("model.kind", m -> assertThat(m).contains("transformer", "mlp-forecaster"));
    }

    @Test
    void unknownPoolListsTheConfiguredOnes() {
        Map<String, Object> spec = Api.spec(Api.demoDataset(2));
        spec.put("resources", Map.of("pool", "gpu"));
        assertThat(violations(Api.submit(spec))).containsOnlyKeys("resources.pool")
                .hasEntrySatisfying("resources.pool", m -> assertThat(m).contains("gpu", "cpu", "scheduler-test"));
    }

    @Test
    void unknownDatasetIsNamed() {
        assertThat(violations(Api.submit(Api.spec("no-such-dataset")))).containsOnlyKeys("dataset")
                .hasEntrySatisfying("dataset", m -> assertThat(m).contains("no-such-dataset"));
    }

    @Test
    void datasetIdThatCouldEscapeItsPrefixIsRejected() {
        assertThat(violations(Api.submit(Api.spec("../models")))).containsOnlyKeys("dataset");
    }

    @Test
    void partitionByThatIsNoColumnListsTheColumns() {
        Map<String, Object> spec = Api.spec(Api.demoDataset(2));
        spec.put("partitionBy", "region");
        assertThat(violations(Api.submit(spec))).containsOnlyKeys("partitionBy")
                .hasEntrySatisfying("partitionBy", m -> assertThat(m).contains("region", "date, city, demand"));
    }

    @Test
    void timeAndTargetColumnsMustBeColumns() {
        Map<String, Object> spec = Api.spec(Api.demoDataset(2));
        spec.put("timeColumn", "day");
        spec.put("targetColumn", "sales");
        assertThat(violations(Api.submit(spec))).containsOnlyKeys("timeColumn", "targetColumn")
                .hasEntrySatisfying("targetColumn", m -> assertThat(m).contains("sales", "date, city, demand"));
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        Map<String, Object> spec = Api.spec(Api.demoDataset(2));
        spec.remove("name");
        spec.put("partitionBy", "region");
        spec.put("model", Map.of("kind", "transformer", "hyperparameters", Map.of("layers", Map.of("a", 1))));
        spec.put("training", Map.of("epochs", 0, "learningRate", -1));
        spec.put("resources", Map.of("pool", "gpu"));
        assertThat(violations(Api.submit(spec))).containsOnlyKeys("name", "partitionBy", "model.kind",
                "model.hyperparameters.layers", "training.epochs", "training.learningRate", "resources.pool");
    }

    @Test
    void bodyThatIsNotJsonIsABadRequest() {
        Response response = given().contentType(ContentType.JSON).body("{\"name\": ").post("/experiments");
        assertThat(violations(response)).containsOnlyKeys("body");
    }

    @Test
    void fieldOfTheWrongTypeIsNamed() {
        Map<String, Object> spec = Api.spec(Api.demoDataset(2));
        spec.put("training", Map.of("epochs", "ten"));
        assertThat(violations(Api.submit(spec))).containsOnlyKeys("training.epochs");
    }

    @Test
    void missingBodyIsABadRequest() {
        Response response = given().contentType(ContentType.JSON).post("/experiments");
        assertThat(violations(response)).containsOnlyKeys("body");
    }

    @Test
    void malformedIdIsABadRequestAndUnknownIdNotFound() {
        assertThat(violations(given().get("/experiments/not-a-uuid"))).containsOnlyKeys("id");
        assertThat(violations(given().get("/experiments/not-a-uuid/runs"))).containsOnlyKeys("id");

        UUID unknown = UUID.randomUUID();
        for (String path : List.of("/experiments/" + unknown, "/experiments/" + unknown + "/runs")) {
            Response response = given().get(path);
            response.then().statusCode(404).contentType("application/problem+json");
            assertThat(response.jsonPath().getString("detail")).contains(unknown.toString());
        }
    }

    @Test
    void pageSizeOutOfRangeIsNamed() {
        UUID id = UUID.randomUUID();
        assertThat(violations(given().queryParam("size", 0).get("/experiments/" + id + "/runs")))
                .containsOnlyKeys("size");
    }
}
