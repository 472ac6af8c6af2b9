package io.trainyard.scheduler.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.trainyard.scheduler.testing.Api;
import io.trainyard.scheduler.testing.Broker;
import io.trainyard.storage.testing.S3ProxyResource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The tabular and synthetic kinds are accepted; the tabular kind's columns are checked against the dataset. */
@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
class ModelKindValidationTest {

    /** An uploaded table without date or demand columns: region (partitions), x1, color, price, grade. */
    static String table() {
        String id = "table-" + UUID.randomUUID().toString().substring(0, 8);
        StringBuilder csv = new StringBuilder("region,x1,color,price,grade\n");
        for (int i = 0; i < 40; i++) {
            csv.append(i % 2 == 0 ? "north" : "south").append(',').append(i * 0.5).append(',')
                    .append(i % 3 == 0 ? "red" : "blue").append(',').append(100 + i).append(',')
                    .append(i % 4 == 0 ? "A" : "B").append('\n');
        }
        given().contentType("text/csv").body(csv.toString()).queryParam("id", id)
                .queryParam("partitionColumn", "region").post("/datasets").then().statusCode(201);
        return id;
    }

    static Map<String, Object> tabular(String dataset, Map<String, Object> hyperparameters) {
        Map<String, Object> spec = new HashMap<>(Map.of(
                "name", "tabular " + dataset,
                "dataset", dataset,
                "partitionBy", "region",
                "model", Map.of("kind", "tabular", "hyperparameters", hyperparameters),
                "training", Map.of("epochs", 2),
                "resources", Map.of("pool", Broker.TEST_POOL)));
        return spec;
    }

    static Map<String, String> violations(Response response) {
        response.then().statusCode(400).contentType("application/problem+json");
        List<Map<String, String>> list = response.jsonPath().getList("violations");
        return list.stream().collect(Collectors.toMap(v -> v.get("field"), v -> v.get("message")));
    }

    @Test
    void aTabularSpecNeedsNoTimeOrTargetColumnAndKeepsItsFeatureList() {
        String dataset = table();
        Map<String, Object> spec = tabular(dataset, Map.of("target", "grade", "task", "classification",
                "features", List.of("x1", "color")));
        spec.put("objective", Map.of("metric", "accuracy", "direction", "maximize"));
        Response response = Api.submit(spec);
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(201);
        UUID id = UUID.fromString(response.jsonPath().getString("id"));
        List<Map<String, Object>> runs = Api.runs(id);
        assertThat(runs).hasSize(2);
        assertThat(runs.toString()).contains("features").contains("x1").contains("color");
    }

    @Test
    void theTabularTargetIsRequiredAndItsColumnsMustExist() {
        String dataset = table();
        assertThat(violations(Api.submit(tabular(dataset, Map.of("hidden", List.of(8))))))
                .containsOnlyKeys("model.hyperparameters.target")
                .hasEntrySatisfying("model.hyperparameters.target",
                        m -> assertThat(m).contains("required", "region, x1, color, price, grade"));
        assertThat(violations(Api.submit(tabular(dataset, Map.of("target", "cost", "features", "x1,size")))))
                .containsOnlyKeys("model.hyperparameters.target", "model.hyperparameters.features")
                .hasEntrySatisfying("model.hyperparameters.target", m -> assertThat(m).contains("'cost'"))
                .hasEntrySatisfying("model.hyperparameters.features", m -> assertThat(m).contains("'size'"));
        assertThat(violations(Api.submit(tabular(dataset, Map.of("target", "grade", "task", "regression")))))
                .hasEntrySatisfying("model.hyperparameters.target",
                        m -> assertThat(m).contains("a regression needs a number column"));
    }

    @Test
    void aSyntheticRunIsAcceptedOnAnyDataset() {
        Map<String, Object> spec = Api.spec(Api.demoDataset(2));
        spec.put("model", Map.of("kind", "synthetic", "hyperparameters", Map.of("secondsPerEpoch", 0.5)));
        assertThat(Api.submit(spec).statusCode()).isEqualTo(201);
    }

    @Test
    void anUnknownKindListsAllKnownOnes() {
        Map<String, Object> spec = Api.spec(Api.demoDataset(2));
        spec.put("model", Map.of("kind", "xgboost"));
        assertThat(violations(Api.submit(spec))).hasEntrySatisfying("model.kind",
                m -> assertThat(m).contains("mlp-forecaster", "tabular", "synthetic"));
    }
}
