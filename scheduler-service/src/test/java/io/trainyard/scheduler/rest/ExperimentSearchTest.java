package io.trainyard.scheduler.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.TrainRun;
import io.trainyard.scheduler.testing.Api;
import io.trainyard.scheduler.testing.Broker;
import io.trainyard.scheduler.testing.Problems;
import io.restassured.path.json.config.JsonPathConfig;
import io.trainyard.storage.testing.S3ProxyResource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Grid and random search, JSON and YAML specs: how a spec expands into runs. */
@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
class ExperimentSearchTest {

    @AfterAll
    static void cleanUp() {
        Broker.purgeTestPool();
    }

    private static Map<String, Object> gridSpec(String dataset) {
        Map<String, Object> spec = Api.spec(dataset);
        spec.put("model", Map.of("kind", "mlp-forecaster", "hyperparameters", Map.of("lags", 14, "dropout", 0.1)));
        // Insertion order is the grid's order: the last parameter varies fastest.
        Map<String, Object> parameters = new java.util.LinkedHashMap<>();
        parameters.put("hidden", List.of(List.of(32), List.of(64, 64)));
        parameters.put("model.hyperparameters.lags", List.of(7, 14));
        parameters.put("training.learningRate", List.of(0.01, 0.001));
        spec.put("search", Map.of("type", "grid", "parameters", parameters));
        return spec;
    }

    private static Map<String, Object> randomSpec(String dataset, long seed) {
        Map<String, Object> spec = Api.spec(dataset);
        spec.put("search", Map.of("type", "random", "samples", 6, "seed", seed, "parameters", Map.of(
                "learningRate", Map.of("min", 0.0001, "max", 0.1, "log", true),
                "batchSize", Map.of("min", 16, "max", 128),
                "hidden", Map.of("choices", List.of(List.of(32), List.of(64, 64), List.of(128))))));
        return spec;
    }

    /** REST Assured encodes no YAML itself: the body goes as bytes. */
    private static Response postYaml(String yaml) {
        return given().contentType("application/yaml").body(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .post("/experiments");
    }

    /** The experiment's runs, decimals read as doubles (REST Assured reads floats by default). */
    private static List<Map<String, Object>> runs(UUID id) {
        return given().get("/experiments/" + id + "/runs").then().statusCode(200).extract()
                .jsonPath(JsonPathConfig.jsonPathConfig().numberReturnType(JsonPathConfig.NumberReturnType.DOUBLE))
                .getList("$");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @Test
    void gridIsTheCartesianProductForEveryPartition() {
        List<Broker.Delivery> deliveries;
        try (Broker broker = Broker.connect()) {
            deliveries = broker.observeCommands();
            String dataset = Api.demoDataset(2);

            Response response = Api.submit(gridSpec(dataset));
            response.then().statusCode(201);
            assertThat(response.jsonPath().getInt("runs")).isEqualTo(2 * 8);
            UUID id = UUID.fromString(response.jsonPath().getString("id"));

            List<Map<String, Object>> runs = runs(id);
            assertThat(runs).hasSize(16);
            assertThat(runs).extracting(r -> r.get("partition")).containsOnly("Amsterdam", "Athens");
            List<Map<String, Object>> amsterdam = runs.stream().filter(r -> "Amsterdam".equals(r.get("partition")))
                    .toList();
            assertThat(amsterdam).extracting(r -> r.get("searchPoint")).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
            assertThat(amsterdam).extracting(r -> map(r.get("hyperparameters")).get("hidden"))
                    .containsExactly(List.of(32), List.of(32), List.of(32), List.of(32),
                            List.of(64, 64), List.of(64, 64), List.of(64, 64), List.of(64, 64));
            assertThat(amsterdam).extracting(r -> map(r.get("hyperparameters")).get("lags"))
                    .containsExactly(7, 7, 14, 14, 7, 7, 14, 14);
            assertThat(amsterdam).extracting(r -> ((Number) map(r.get("training")).get("learningRate"))
                    .doubleValue()).containsExactly(0.01, 0.001, 0.01, 0.001, 0.01, 0.001, 0.01, 0.001);
            // What the search does not vary comes from the spec.
            assertThat(runs).allSatisfy(r -> {
                assertThat(map(r.get("hyperparameters"))).containsEntry("dropout", 0.1);
                assertThat(map(r.get("training"))).containsEntry("epochs", 10).containsEntry("batchSize", 32);
            });

            // Each run's command carries the run's resolved values.
            await().atMost(Duration.ofSeconds(20)).until(() -> deliveries.stream()
                    .map(d -> Messages.decodeCommand(d.body())).filter(c -> c.experimentId().equals(id)).count()
                    >= 16);
            Map<String, Map<String, Object>> byRun = new java.util.HashMap<>();
            runs.forEach(r -> byRun.put((String) r.get("id"), r));
            List<TrainRun> commands = deliveries.stream().map(d -> Messages.decodeCommand(d.body()))
                    .filter(c -> c.experimentId().equals(id)).toList();
            assertThat(commands).hasSize(16).allSatisfy(c -> {
                Map<String, Object> run = byRun.get(c.runId().toString());
                assertThat(c.model().hyperparameters().get("lags"))
                        .isEqualTo(map(run.get("hyperparameters")).get("lags"));
                assertThat(c.training().learningRate())
                        .isEqualTo(((Number) map(run.get("training")).get("learningRate")).doubleValue());
            });
        }
    }

    @Test
    void randomSearchIsDeterministicForASeedAndStaysInItsRanges() {
        String dataset = Api.demoDataset(1);
        List<Map<String, Object>> first = runs(Api.submitted(randomSpec(dataset, 7)));
        List<Map<String, Object>> second = runs(Api.submitted(randomSpec(dataset, 7)));
        List<Map<String, Object>> other = runs(Api.submitted(randomSpec(dataset, 8)));

        assertThat(first).hasSize(6);
        assertThat(first).extracting(r -> r.get("hyperparameters"))
                .containsExactlyElementsOf(second.stream().map(r -> r.get("hyperparameters")).toList());
        assertThat(first).extracting(r -> r.get("training"))
                .containsExactlyElementsOf(second.stream().map(r -> r.get("training")).toList());
        assertThat(first).extracting(r -> r.get("training"))
                .isNotEqualTo(other.stream().map(r -> r.get("training")).toList());

        assertThat(first).allSatisfy(r -> {
            Map<String, Object> training = map(r.get("training"));
            assertThat(((Number) training.get("learningRate")).doubleValue()).isBetween(0.0001, 0.1);
            assertThat(training.get("batchSize")).isInstanceOf(Integer.class);
            assertThat((Integer) training.get("batchSize")).isBetween(16, 128);
            assertThat(map(r.get("hyperparameters")).get("hidden"))
                    .isIn(List.of(32), List.of(64, 64), List.of(128));
        });
    }

    @Test
    void yamlSpecIsAcceptedLikeJson() {
        String dataset = Api.demoDataset(2);
        String yaml = """
                name: yaml grid
                dataset: %s
                partitionBy: city
                model:
                  kind: mlp-forecaster
                  hyperparameters:
                    lags: 14
                training:
                  epochs: 3
                resources:
                  pool: %s
                objective:
                  metric: rmse
                  direction: minimize
                maxAttempts: 4
                search:
                  type: grid
                  parameters:
                    hidden: [[32], [64, 64]]
                    training.epochs: [3, 6, 9]
                """.formatted(dataset, Broker.TEST_POOL);
        Response response = postYaml(yaml);
        response.then().statusCode(201);
        assertThat(response.jsonPath().getInt("runs")).isEqualTo(2 * 2 * 3);
        List<Map<String, Object>> runs = runs(UUID.fromString(response.jsonPath().getString("id")));
        assertThat(runs).extracting(r -> map(r.get("training")).get("epochs"))
                .containsExactly(3, 6, 9, 3, 6, 9, 3, 6, 9, 3, 6, 9);
        assertThat(runs).extracting(r -> r.get("epochs")).containsExactly(3, 6, 9, 3, 6, 9, 3, 6, 9, 3, 6, 9);
    }

    @Test
    void yamlSpecIsHeldToTheSameRules() {
        String yaml = """
                name: ""
                dataset: %s
                model: {kind: transformer}
                training: {epochs: 0}
                """.formatted(Api.demoDataset(1));
        Response response = postYaml(yaml);
        assertThat(Problems.violations(response)).containsOnlyKeys("name", "model.kind", "training.epochs");

        Response wrongType = postYaml("name: x\ndataset: d\nmodel: {kind: mlp-forecaster}\ntraining: {epochs: ten}\n");
        assertThat(Problems.violations(wrongType)).containsOnlyKeys("training.epochs");

        Response notYaml = postYaml("@name: x\n");
        assertThat(Problems.violations(notYaml)).containsOnlyKeys("body");

        Response empty = postYaml("");
        assertThat(Problems.violations(empty)).containsOnlyKeys("body");
    }

    @Test
    void yamlAliasBombIsRefusedQuickly() {
        // Eleven levels of ten aliases each: 10^11 strings if the document were expanded.
        StringBuilder yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 12; i++) {
            String alias = "*a" + (i - 1);
            yaml.append("a").append(i).append(": &a").append(i).append(" [")
                    .append(String.join(", ", java.util.Collections.nCopies(10, alias))).append("]\n");
        }
        yaml.append("name: *a11\n");
        long start = System.nanoTime();
        Response response = postYaml(yaml.toString());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(Problems.violations(response)).isNotEmpty();
    }

    @Test
    void capAnswersWithTheCountItWouldHaveMade() {
        Map<String, Object> spec = Api.spec(Api.demoDataset(3));
        spec.put("search", Map.of("type", "grid", "parameters", Map.of(
                "lags", IntStream.rangeClosed(1, 40).boxed().toList(),
                "batchSize", IntStream.rangeClosed(1, 100).boxed().toList())));
        Map<String, String> violations = Problems.violations(Api.submit(spec));
        assertThat(violations).containsOnlyKeys("search")
                .hasEntrySatisfying("search", m -> assertThat(m).contains("12000", "10000"));

        spec.put("search", Map.of("type", "random", "samples", 4000, "parameters", Map.of(
                "lags", Map.of("min", 1, "max", 30))));
        assertThat(Problems.violations(Api.submit(spec))).hasEntrySatisfying("search",
                m -> assertThat(m).contains("12000"));
    }

    @Test
    void everySearchProblemIsNamedByItsPath() {
        String dataset = Api.demoDataset(1);
        Map<String, Object> spec = Api.spec(dataset);
        spec.put("search", Map.of("type", "annealing", "parameters", Map.of()));
        spec.put("objective", Map.of("metric", "precision", "direction", "up"));
        spec.put("maxAttempts", 0);
        assertThat(Problems.violations(Api.submit(spec))).containsOnlyKeys("search.type", "search.parameters",
                "objective.metric", "objective.direction", "maxAttempts")
                .hasEntrySatisfying("objective.metric", m -> assertThat(m).contains("mae", "rmse", "mape"));

        Map<String, Object> grid = new java.util.LinkedHashMap<>();
        grid.put("lags", 7);
        grid.put("training.epochs", List.of(10, 0));
        grid.put("training.momentum", List.of(0.9));
        grid.put("hidden", List.of(Map.of("a", 1)));
        spec = Api.spec(dataset);
        spec.put("search", Map.of("type", "grid", "samples", 3, "parameters", grid));
        assertThat(Problems.violations(Api.submit(spec))).containsOnlyKeys("search.samples",
                "search.parameters.lags", "search.parameters.training.epochs[1]",
                "search.parameters.training.momentum", "search.parameters.hidden[0]")
                .hasEntrySatisfying("search.parameters.training.momentum",
                        m -> assertThat(m).contains("training.learningRate"));

        Map<String, Object> random = new java.util.LinkedHashMap<>();
        random.put("learningRate", Map.of("min", 0.0, "max", 0.1, "log", true));
        random.put("lags", Map.of("min", 20, "max", 10));
        random.put("hidden", Map.of("choices", List.of()));
        random.put("dropout", List.of(0.1, 0.2));
        spec = Api.spec(dataset);
        spec.put("search", Map.of("type", "random", "parameters", random));
        assertThat(Problems.violations(Api.submit(spec))).containsOnlyKeys("search.samples",
                "search.parameters.learningRate.min", "search.parameters.lags.max", "search.parameters.hidden",
                "search.parameters.dropout");
    }

    @Test
    void objectiveAndMaxAttemptsAreAccepted() {
        Map<String, Object> spec = Api.spec(Api.demoDataset(1));
        spec.put("objective", Map.of("metric", "mape", "direction", "maximize"));
        spec.put("maxAttempts", 3);
        Api.submitted(spec);
    }
}
