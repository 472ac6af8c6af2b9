package io.trainyard.results;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.trainyard.contracts.DataSpec;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.testing.TestTokens;
import io.trainyard.contracts.ModelSpec;
import io.trainyard.contracts.RunStarted;
import io.trainyard.contracts.TrainRun;
import io.trainyard.contracts.TrainingSpec;
import io.trainyard.models.BlockModel;
import io.trainyard.models.ModelKind;
import io.trainyard.models.PreparedRun;
import io.trainyard.models.Samples;
import io.trainyard.models.forecaster.MlpForecaster;
import io.trainyard.models.synthetic.SyntheticKind;
import io.trainyard.models.tabular.TabularKind;
import io.trainyard.storage.ModelStore;
import io.trainyard.storage.testing.S3ProxyResource;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Model access against a real S3 server: a model trained here through the models API and stored with ModelStore,
 * as the trainer stores it, answers over HTTP exactly what the in-memory model answers; wrong inputs get 400s that
 * say what fits, runs without a model 404s.
 */
@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
class ModelAccessTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] COLORS = {"red", "green", "blue"};

    @Inject
    ModelStore store;

    /** Rows x1, x2, color, y, label: y = 2 x1 - x2 + 3 [red] + noise; label: y's third. */
    static final List<String[]> ROWS = new ArrayList<>();
    static final String TABLE;

    static {
        SplittableRandom random = new SplittableRandom(21);
        StringBuilder csv = new StringBuilder("x1,x2,color,y,label\n");
        for (int i = 0; i < 300; i++) {
            double x1 = random.nextDouble() * 4;
            double x2 = random.nextDouble() * 4;
            String color = COLORS[random.nextInt(3)];
            double y = 2 * x1 - x2 + (color.equals("red") ? 3 : 0) + random.nextGaussian() * 0.2;
            String[] row = {Double.toString(x1), Double.toString(x2), color, Double.toString(y),
                    y > 4 ? "high" : y > 1 ? "mid" : "low"};
            ROWS.add(row);
            csv.append(String.join(",", row)).append('\n');
        }
        TABLE = csv.toString();
    }

    /** A run prepared by its kind, a few epochs of DJL training on it, and the model stored as the trainer does. */
    final class Stored implements AutoCloseable {
        final UUID experimentId = UUID.randomUUID();
        final UUID runId = UUID.randomUUID();
        final PreparedRun run;
        final NDManager manager = NDManager.newBaseManager();
        /** Owns the trained parameters: open until the test is done with the in-memory model. */
        final Model model = Model.newInstance("test");
        final Block block;

        Stored(ModelKind kind, Map<String, Object> hyperparameters, String csv, String targetColumn) throws Exception {
            TrainRun command = new TrainRun(Messages.SCHEMA_VERSION, experimentId, runId, "cpu",
                    new DataSpec("data", null, null, "date", targetColumn), new ModelSpec(kind.name(), hyperparameters),
                    new TrainingSpec(5, 32, 1e-2, 7, 5), 0, Instant.now());
            run = kind.prepare(command, new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)));
            block = run.newBlock();
            train();
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("experimentId", experimentId.toString());
            metadata.put("runId", runId.toString());
            metadata.put("kind", kind.name());
            metadata.put("hyperparameters", hyperparameters);
            metadata.put("model", run.describe());
            store.save(experimentId, runId, BlockModel.save(block), metadata);
        }

        /** DJL's own loop with the kind's loss, so the stored model is a trained one. */
        private void train() throws Exception {
            Samples train = run.train();
            ArrayDataset data = new ArrayDataset.Builder()
                    .setData(manager.create(train.x(), new Shape(train.size(), train.features())))
                    .optLabels(manager.create(train.y(), new Shape(train.size())))
                    .setSampling(32, true)
                    .build();
            Loss loss = new Loss("kind-loss") {
                @Override
                public ai.djl.ndarray.NDArray evaluate(NDList labels, NDList predictions) {
                    return run.loss(predictions.singletonOrThrow(), labels.singletonOrThrow());
                }
            };
            model.setBlock(block);
            DefaultTrainingConfig config = new DefaultTrainingConfig(loss).optOptimizer(
                    Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(run.inputShape());
                for (int epoch = 0; epoch < 5; epoch++) {
                    for (Batch batch : trainer.iterateDataset(data)) {
                        EasyTrain.trainBatch(trainer, batch);
                        trainer.step();
                        batch.close();
                    }
                }
            }
        }

        /** The in-memory model's outputs on samples the kind encoded itself. */
        float[] forward(Samples samples) {
            try (NDManager scope = manager.newSubManager()) {
                return block.forward(new ParameterStore(scope, false), new NDList(scope.create(samples.x(),
                        new Shape(samples.size(), samples.features()))), false).singletonOrThrow().toFloatArray();
            }
        }

        String path(String what) {
            return "/experiments/" + experimentId + "/runs/" + runId + "/" + what;
        }

        @Override
        public void close() {
            model.close();
            manager.close();
        }
    }

    static Response post(String path, Object body) throws Exception {
        return given().contentType(ContentType.JSON).body(JSON.writeValueAsString(body)).post(path);
    }

    static JsonNode json(Response response) throws Exception {
        return JSON.readTree(response.asString());
    }

    static List<Map<String, Object>> heldOutRows(TabularKind.TabularRun run) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int r : run.holdoutRows()) {
            String[] row = ROWS.get(r);
            rows.add(Map.of("x1", Double.parseDouble(row[0]), "x2", Double.parseDouble(row[1]), "color", row[2]));
        }
        return rows;
    }

    @Test
    void tabularRegressionAnswersWhatTheInMemoryModelDoes() throws Exception {
        try (Stored stored = new Stored(new TabularKind(), Map.of("target", "y", "features", List.of("x1", "x2",
                "color"), "hidden", List.of(16)), TABLE, "y")) {
            TabularKind.TabularRun run = (TabularKind.TabularRun) stored.run;
            float[] expected = stored.forward(run.validation());
            @SuppressWarnings("unchecked")
            Map<String, Object> norm = (Map<String, Object>) run.describe().get("targetNormalisation");

            Response response = post(stored.path("predict"), Map.of("rows", heldOutRows(run)));
            assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
            JsonNode answer = json(response);
            assertThat(answer.get("runId").asText()).isEqualTo(stored.runId.toString());
            JsonNode predictions = answer.get("predictions");
            assertThat(predictions.size()).isEqualTo(expected.length);
            for (int i = 0; i < expected.length; i++) {
                double value = expected[i] * (double) norm.get("std") + (double) norm.get("mean");
                assertThat(predictions.get(i).asDouble()).isCloseTo(value, within(1e-4));
            }
            // asked again, the cached model answers the same
            assertThat(json(post(stored.path("predict"), Map.of("rows", heldOutRows(run)))).get("predictions"))
                    .isEqualTo(predictions);
        }
    }

    @Test
    void tabularClassifierAnswersClassesWithTheInMemoryModelsProbabilities() throws Exception {
        try (Stored stored = new Stored(new TabularKind(), Map.of("target", "label", "features", "x1,x2,color",
                "hidden", List.of(16)), TABLE, "y")) {
            TabularKind.TabularRun run = (TabularKind.TabularRun) stored.run;
            float[] logits = stored.forward(run.validation());
            List<String> classes = List.of("high", "low", "mid");

            JsonNode answer = json(post(stored.path("predict"), Map.of("rows", heldOutRows(run))));
            for (int i = 0; i < run.validation().size(); i++) {
                double max = Math.max(logits[3 * i], Math.max(logits[3 * i + 1], logits[3 * i + 2]));
                double sum = 0;
                for (int k = 0; k < 3; k++) {
                    sum += Math.exp(logits[3 * i + k] - max);
                }
                int best = 0;
                for (int k = 0; k < 3; k++) {
                    double p = Math.exp(logits[3 * i + k] - max) / sum;
                    assertThat(answer.get("probabilities").get(i).get(classes.get(k)).asDouble())
                            .isCloseTo(p, within(1e-5));
                    best = logits[3 * i + k] > logits[3 * i + best] ? k : best;
                }
                assertThat(answer.get("predictions").get(i).asText()).isEqualTo(classes.get(best));
            }
        }
    }

    @Test
    void forecasterAnswersTheNextValueFromRecentOnes() throws Exception {
        StringBuilder csv = new StringBuilder("date,demand\n");
        List<Double> series = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            double value = 50 + 10 * Math.sin(i / 5.0);
            series.add(value);
            csv.append(LocalDate.of(2025, 1, 1).plusDays(i)).append(',').append(value).append('\n');
        }
        try (Stored stored = new Stored(new MlpForecaster(), Map.of("lags", 6, "hidden", List.of(16)),
                csv.toString(), "demand")) {
            Samples validation = stored.run.validation();
            float[] last = new float[6];
            System.arraycopy(validation.x(), (validation.size() - 1) * 6, last, 0, 6);
            @SuppressWarnings("unchecked")
            Map<String, Object> norm = (Map<String, Object>) stored.run.describe().get("normalisation");
            double expected = stored.forward(new Samples(last, new float[1], 6))[0] * (double) norm.get("std")
                    + (double) norm.get("mean");

            JsonNode answer = json(post(stored.path("predict"),
                    Map.of("values", series.subList(series.size() - 7, series.size() - 1))));
            assertThat(answer.get("predictions").get(0).asDouble()).isCloseTo(expected, within(1e-4));

            Response tooFew = post(stored.path("predict"), Map.of("values", List.of(1, 2, 3)));
            assertProblem(tooFew, 400, "values").contains("at least 6 numbers");
        }
    }

    @Test
    void theModelsMetadataIsItsModelJson() throws Exception {
        try (Stored stored = new Stored(new TabularKind(), Map.of("target", "y", "hidden", List.of(4)), TABLE,
                "y")) {
            Response response = given().get(stored.path("model"));
            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode model = json(response);
            assertThat(model.get("kind").asText()).isEqualTo("tabular");
            assertThat(model.get("model").get("task").asText()).isEqualTo("regression");
            assertThat(model.get("model").get("features").get(0).get("name").asText()).isEqualTo("x1");
        }
    }

    @Test
    void inputsThatDoNotFitGet400sThatSayWhatFits() throws Exception {
        try (Stored stored = new Stored(new TabularKind(), Map.of("target", "y", "hidden", List.of(4)), TABLE,
                "y")) {
            assertProblem(post(stored.path("predict"), Map.of("rows", List.of(Map.of("x1", 1)))), 400,
                    "rows[0].x2").contains("rows[0] has no value for feature 'x2'");
            assertProblem(post(stored.path("predict"), Map.of("rows", List.of(Map.of("x1", "a", "x2", 1)))), 400,
                    "rows[0].x1").contains("must be a number");
            assertProblem(post(stored.path("predict"), Map.of("values", List.of(1))), 400, "rows")
                    .contains("'rows' must be a list");
            assertProblem(given().contentType(ContentType.JSON).body("[1, 2]").post(stored.path("predict")), 400,
                    "body").contains("must be a JSON object");
            assertProblem(given().contentType(ContentType.JSON).body("{\"rows\": [").post(stored.path("predict")),
                    400, "body").contains("not JSON");
            assertProblem(post("/experiments/nope/runs/" + stored.runId + "/predict", Map.of()), 400, "id");
        }
    }

    @Test
    void aSyntheticRunHasNothingToPredictAndSaysSo() throws Exception {
        UUID experimentId = UUID.randomUUID();
        UUID runId = UUID.randomUUID();
        TrainRun command = new TrainRun(Messages.SCHEMA_VERSION, experimentId, runId, "cpu",
                new DataSpec("data", null, null, "date", "y"), new ModelSpec(SyntheticKind.NAME, Map.of()),
                new TrainingSpec(1, 8, 1e-3, 1, 1), 0, Instant.now());
        PreparedRun run = new SyntheticKind().prepare(command, InputStream.nullInputStream());
        store.save(experimentId, runId, new byte[] {1}, Map.of("kind", SyntheticKind.NAME, "model", run.describe()));
        assertProblem(post("/experiments/" + experimentId + "/runs/" + runId + "/predict", Map.of("values",
                List.of(1))), 400, "model").contains("not machine learning");
    }

    @Test
    void aPrivateModelOfAnExperimentNotHeardOfYetIsOnlyItsOwnersToSee() throws Exception {
        UUID experimentId = UUID.randomUUID(); // no event of it has arrived here
        UUID runId = UUID.randomUUID();
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("kind", SyntheticKind.NAME);
        metadata.put("owner", "bob");
        metadata.put("visibility", "private");
        store.save(experimentId, runId, new byte[] {1}, metadata);
        String path = "/experiments/" + experimentId + "/runs/" + runId;

        assertProblem(given().auth().oauth2(TestTokens.token("rita", "researcher")).get(path + "/model"), 404, null)
                .contains("has no stored model");
        assertProblem(given().auth().oauth2(TestTokens.token("vic", "viewer")).contentType(ContentType.JSON)
                .body("{\"values\": [1]}").post(path + "/predict"), 404, null).contains("has no stored model");
        assertThat(given().auth().oauth2(TestTokens.token("bob", "researcher")).get(path + "/model").statusCode())
                .isEqualTo(200);
        assertThat(given().auth().oauth2(TestTokens.token("ada", "admin")).get(path + "/model").statusCode())
                .isEqualTo(200);

        metadata.put("visibility", "shared");
        store.save(experimentId, runId, new byte[] {1}, metadata);
        assertThat(given().auth().oauth2(TestTokens.token("rita", "researcher")).get(path + "/model").statusCode())
                .isEqualTo(200);
    }

    @Test
    void aRunWithoutAModelIs404() throws Exception {
        String path = "/experiments/" + UUID.randomUUID() + "/runs/" + UUID.randomUUID();
        assertProblem(given().get(path + "/model"), 404, null).contains("has no stored model");
        assertProblem(post(path + "/predict", Map.of("values", List.of(1))), 404, null)
                .contains("has no stored model");
    }

    @Test
    void theRunViewShowsTheResolvedHyperparametersItStartedWith() throws Exception {
        UUID experimentId = UUID.randomUUID();
        UUID runId = UUID.randomUUID();
        ModelSpec model = new ModelSpec("tabular", Map.of("target", "y", "hidden", List.of(32, 16)));
        DataSpec data = new DataSpec("houses", "city", "lyon", "date", "y");
        try (EventBroker broker = new EventBroker()) {
            broker.publish(new RunStarted(Events.ref(experimentId, runId, 1, 1), "lyon", 0, null, 3, null, model,
                    data));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/runs/{id}", runId).statusCode() == 200);
        JsonNode run = json(given().get("/runs/{id}", runId));
        assertThat(run.get("model").get("kind").asText()).isEqualTo("tabular");
        assertThat(run.get("model").get("hyperparameters").get("hidden").toString()).isEqualTo("[32,16]");
        assertThat(run.get("data").get("datasetId").asText()).isEqualTo("houses");
        assertThat(run.get("data").get("partition").asText()).isEqualTo("lyon");
    }

    /** Asserts a problem+json answer and returns an assertion on its detail. */
    static org.assertj.core.api.AbstractStringAssert<?> assertProblem(Response response, int status, String field)
            throws Exception {
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        JsonNode problem = json(response);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        if (field != null) {
            assertThat(problem.get("violations").get(0).get("field").asText()).isEqualTo(field);
        }
        return assertThat(problem.get("detail").asText());
    }
}
