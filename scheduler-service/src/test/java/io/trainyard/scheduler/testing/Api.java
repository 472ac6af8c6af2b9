package io.trainyard.scheduler.testing;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Calls of the scheduler's REST API the scenarios share. */
public final class Api {

    private Api() {
    }

    /** A fresh demo dataset of {@code cities} cities over 90 days; returns its id. */
    public static String demoDataset(int cities) {
        String id = "test-" + UUID.randomUUID().toString().substring(0, 8);
        given().contentType(ContentType.JSON).body(Map.of("id", id, "cities", cities, "days", 90, "seed", 3))
                .post("/datasets/demo").then().statusCode(201);
        return id;
    }

    /** A valid spec on {@code dataset}, partitioned by city, for the test pool. */
    public static Map<String, Object> spec(String dataset) {
        return new java.util.HashMap<>(Map.of(
                "name", "test " + dataset,
                "dataset", dataset,
                "partitionBy", "city",
                "timeColumn", "date",
                "targetColumn", "demand",
                "model", Map.of("kind", "mlp-forecaster", "hyperparameters", Map.of("lags", 14,
                        "hidden", List.of(64, 64))),
                "training", Map.of("epochs", 10, "batchSize", 32, "learningRate", 0.001, "seed", 42,
                        "checkpointEvery", 5),
                "resources", Map.of("pool", Broker.TEST_POOL)));
    }

    public static Response submit(Object spec) {
        return given().contentType(ContentType.JSON).body(spec).post("/experiments");
    }

    /** Submits a valid spec and returns the experiment id. */
    public static UUID submitted(Object spec) {
        return UUID.fromString(submit(spec).then().statusCode(201).extract().path("id"));
    }

    public static Response experiment(UUID id) {
        return given().get("/experiments/" + id);
    }

    public static List<Map<String, Object>> runs(UUID experimentId) {
        return given().get("/experiments/" + experimentId + "/runs").then().statusCode(200).extract().jsonPath()
                .getList("$");
    }

    public static Map<String, Object> run(UUID experimentId, UUID runId) {
        return runs(experimentId).stream().filter(r -> r.get("id").equals(runId.toString())).findFirst()
                .orElseThrow();
    }
}
