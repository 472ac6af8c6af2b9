package io.trainyard.models.tabular;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.trainyard.contracts.DataSpec;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.ModelSpec;
import io.trainyard.contracts.TrainRun;
import io.trainyard.contracts.TrainingSpec;
import io.trainyard.models.InMemory;
import io.trainyard.models.InvalidInputException;
import io.trainyard.models.InvalidRunException;
import io.trainyard.models.LoadedModel;
import io.trainyard.models.PreparedRun;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Preparing tabular runs: features, encoding, split, standardisation, metrics, and the stored model's answers. */
class TabularKindTest {

    static final String[] COLORS = {"red", "green", "blue"};

    /** Rows of region north then south: x1, x2 numeric, color text, when a date, y = 3 x1 - 2 x2 + color, label. */
    static final List<String[]> ROWS = new ArrayList<>();
    static final String CSV;

    static {
        SplittableRandom random = new SplittableRandom(5);
        StringBuilder csv = new StringBuilder("region,x1,x2,color,when,y,label\n");
        for (int i = 0; i < 200; i++) {
            String region = i < 120 ? "north" : "south";
            double x1 = random.nextDouble() * 10;
            double x2 = random.nextDouble() * 4 - 2;
            String color = COLORS[random.nextInt(3)];
            double y = 3 * x1 - 2 * x2 + (color.equals("red") ? 5 : 0) + random.nextDouble();
            String label = y > 20 ? "high" : y > 8 ? "mid" : "low";
            String[] row = {region, Double.toString(x1), Double.toString(x2), color,
                    LocalDate.of(2024, 1, 1).plusDays(i).toString(), Double.toString(y), label};
            ROWS.add(row);
            csv.append(String.join(",", row)).append('\n');
        }
        CSV = csv.toString();
    }

    static TrainRun command(Map<String, Object> hyperparameters, long seed) {
        return new TrainRun(Messages.SCHEMA_VERSION, UUID.randomUUID(), UUID.randomUUID(), "cpu",
                new DataSpec("table", "region", "north", "when", "y"),
                new ModelSpec(TabularKind.NAME, hyperparameters), new TrainingSpec(1, 16, 1e-3, seed, 1), 0,
                Instant.now());
    }

    static TabularKind.TabularRun prepare(Map<String, Object> hyperparameters) {
        return prepare(hyperparameters, 42);
    }

    static TabularKind.TabularRun prepare(Map<String, Object> hyperparameters, long seed) {
        return (TabularKind.TabularRun) new TabularKind().prepare(command(hyperparameters, seed),
                new ByteArrayInputStream(CSV.getBytes(StandardCharsets.UTF_8)));
    }

    static List<String[]> north() {
        return ROWS.stream().filter(r -> r[0].equals("north")).toList();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> features(PreparedRun run) {
        return (List<Map<String, Object>>) run.describe().get("features");
    }

    @Test
    void featuresDefaultToTheOtherNumericColumnsOfThePartition() {
        TabularKind.TabularRun run = prepare(Map.of("target", "y"));
        assertThat(features(run)).extracting(f -> f.get("name")).containsExactly("x1", "x2");
        assertThat(run.describe()).containsEntry("task", "regression");
        assertThat(run.train().size() + run.validation().size()).isEqualTo(north().size());
        assertThat(run.validation().size()).isEqualTo(Math.round(north().size() * 0.2));
        assertThat(run.train().features()).isEqualTo(2);
    }

    @Test
    void textFeaturesAreOneHotEncodedOverTheTrainingRowsCategories() {
        TabularKind.TabularRun run = prepare(Map.of("target", "y", "features", "x1, color"));
        assertThat(features(run).get(1)).containsEntry("type", "category")
                .containsEntry("categories", List.of("blue", "green", "red"));
        assertThat(run.train().features()).isEqualTo(4);
        // the first held-out row's encoding: standardised x1, then its colour's one-hot
        String[] row = north().get(run.holdoutRows()[0]);
        float[] x = Arrays.copyOfRange(run.validation().x(), 0, 4);
        int color = List.of("blue", "green", "red").indexOf(row[3]);
        for (int k = 0; k < 3; k++) {
            assertThat(x[1 + k]).isEqualTo(k == color ? 1f : 0f);
        }
    }

    @Test
    void aTextColumnWithTooManyValuesIsRefusedWithWhatToDo() {
        assertThatThrownBy(() -> prepare(Map.of("target", "y", "features", List.of("x1", "when"))))
                .isInstanceOf(InvalidRunException.class)
                .hasMessageContaining("feature 'when' holds text with")
                .hasMessageContaining("maxCategories=20")
                .hasMessageContaining("leave it out of 'features' or raise maxCategories");
        assertThat(prepare(Map.of("target", "y", "features", List.of("x1", "when"), "maxCategories", 200))
                .train().features()).isGreaterThan(20);
    }

    @Test
    void badHyperparametersAndColumnsAreNamedWithWhatWouldWork() {
        assertThatThrownBy(() -> prepare(Map.of()))
                .hasMessageContaining("needs the hyperparameter 'target'");
        assertThatThrownBy(() -> prepare(Map.of("target", "price")))
                .hasMessageContaining("target 'price' is not a column")
                .hasMessageContaining("region, x1, x2, color, when, y, label");
        assertThatThrownBy(() -> prepare(Map.of("target", "y", "features", List.of("x1", "x9"))))
                .hasMessageContaining("feature 'x9' is not a column");
        assertThatThrownBy(() -> prepare(Map.of("target", "y", "features", List.of("y"))))
                .hasMessageContaining("feature 'y' is the target");
        assertThatThrownBy(() -> prepare(Map.of("target", "y", "features", List.of("region"))))
                .hasMessageContaining("is the partition column");
        assertThatThrownBy(() -> prepare(Map.of("target", "label", "task", "regression")))
                .hasMessageContaining("a regression needs a numeric target; use task=classification");
        assertThatThrownBy(() -> prepare(Map.of("target", "y", "task", "clustering")))
                .hasMessageContaining("one of regression, classification");
        assertThatThrownBy(() -> prepare(Map.of("target", "y", "depth", 3)))
                .hasMessageContaining("hyperparameter 'depth' is not known to model kind 'tabular'");
    }

    @Test
    void theSplitDependsOnTheSeedAlone() {
        int[] first = prepare(Map.of("target", "y"), 42).holdoutRows();
        assertThat(prepare(Map.of("target", "y"), 42).holdoutRows()).isEqualTo(first);
        assertThat(prepare(Map.of("target", "y"), 43).holdoutRows()).isNotEqualTo(first);
        assertThat(first).isSorted();
    }

    @Test
    void numbersAreStandardisedWithTheTrainingRowsOnly() {
        TabularKind.TabularRun run = prepare(Map.of("target", "y"));
        List<Integer> holdout = Arrays.stream(run.holdoutRows()).boxed().toList();
        List<String[]> north = north();
        double[] x1 = IntStream.range(0, north.size()).filter(i -> !holdout.contains(i))
                .mapToDouble(i -> Double.parseDouble(north.get(i)[1])).toArray();
        double mean = Arrays.stream(x1).average().orElseThrow();
        double std = Math.sqrt(Arrays.stream(x1).map(v -> (v - mean) * (v - mean)).sum() / x1.length);
        assertThat((double) features(run).get(0).get("mean")).isCloseTo(mean, within(1e-9));
        assertThat((double) features(run).get(0).get("std")).isCloseTo(std, within(1e-9));
        double firstHeldOut = Double.parseDouble(north.get(run.holdoutRows()[0])[1]);
        assertThat((double) run.validation().x()[0]).isCloseTo((firstHeldOut - mean) / std, within(1e-6));
        double allMean = north.stream().mapToDouble(r -> Double.parseDouble(r[1])).average().orElseThrow();
        assertThat(allMean).as("the hold-out moves the mean, so the test can tell").isNotCloseTo(mean,
                within(1e-6));
    }

    @Test
    void regressionMetricsAreMaeRmseAndR2InTheTargetsUnits() {
        TabularKind.TabularRun run = prepare(Map.of("target", "y"));
        @SuppressWarnings("unchecked")
        Map<String, Object> norm = (Map<String, Object>) run.describe().get("targetNormalisation");
        double mean = (double) norm.get("mean");
        double std = (double) norm.get("std");
        float[] labels = run.validation().y();
        float[] predictions = new float[labels.length];
        for (int i = 0; i < labels.length; i++) {
            predictions[i] = labels[i] + (i % 2 == 0 ? 0.1f : -0.3f);
        }
        double absolute = 0;
        double squared = 0;
        double truthMean = 0;
        for (float label : labels) {
            truthMean += label * std + mean;
        }
        truthMean /= labels.length;
        double total = 0;
        for (int i = 0; i < labels.length; i++) {
            double truth = labels[i] * std + mean;
            double error = (predictions[i] * std + mean) - truth;
            absolute += Math.abs(error);
            squared += error * error;
            total += (truth - truthMean) * (truth - truthMean);
        }
        Map<String, Double> metrics = run.metrics(predictions, labels);
        assertThat(metrics.get("mae")).isCloseTo(absolute / labels.length, within(1e-6));
        assertThat(metrics.get("rmse")).isCloseTo(Math.sqrt(squared / labels.length), within(1e-6));
        assertThat(metrics.get("r2")).isCloseTo(1 - squared / total, within(1e-9));
    }

    @Test
    void classificationMetricsAreAccuracyMacroF1AndLogLoss() {
        TabularKind.TabularRun run = prepare(Map.of("target", "label"));
        assertThat(run.describe()).containsEntry("task", "classification")
                .containsEntry("classes", List.of("high", "low", "mid"));
        // labels 0 0 1 1 2 2; predicted classes 0 1 1 1 2 0
        float[] labels = {0, 0, 1, 1, 2, 2};
        int[] predicted = {0, 1, 1, 1, 2, 0};
        float[] logits = new float[18];
        for (int i = 0; i < 6; i++) {
            for (int k = 0; k < 3; k++) {
                logits[i * 3 + k] = k == predicted[i] ? 2f : (float) (0.1 * k);
            }
        }
        Map<String, Double> metrics = run.metrics(logits, labels);
        assertThat(metrics.get("accuracy")).isCloseTo(4.0 / 6, within(1e-12));
        // F1: class 0 tp1 fp1 fn1 -> 0.5; class 1 tp2 fp1 fn0 -> 0.8; class 2 tp1 fp0 fn1 -> 2/3
        assertThat(metrics.get("macroF1")).isCloseTo((0.5 + 0.8 + 2.0 / 3) / 3, within(1e-12));
        double logLoss = 0;
        for (int i = 0; i < 6; i++) {
            double sum = 0;
            for (int k = 0; k < 3; k++) {
                sum += Math.exp(logits[i * 3 + k]);
            }
            logLoss -= Math.log(Math.exp(logits[i * 3 + (int) labels[i]]) / sum);
        }
        assertThat(metrics.get("logLoss")).isCloseTo(logLoss / 6, within(1e-9));

        // the training loss is the same softmax cross-entropy, computed by the engine
        try (NDManager manager = NDManager.newBaseManager()) {
            float loss = run.loss(manager.create(logits, new Shape(6, 3)), manager.create(labels)).getFloat();
            assertThat((double) loss).isCloseTo(logLoss / 6, within(1e-5));
        }
    }

    @Test
    void storedRegressionModelAnswersWhatTheInMemoryModelDoesForTheSameRows() {
        TabularKind.TabularRun run = prepare(Map.of("target", "y", "features", List.of("x1", "x2", "color")));
        @SuppressWarnings("unchecked")
        Map<String, Object> norm = (Map<String, Object>) run.describe().get("targetNormalisation");
        try (InMemory memory = new InMemory(run); LoadedModel stored = memory.stored(new TabularKind())) {
            float[] expected = memory.forward(run.validation());
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int r : run.holdoutRows()) {
                String[] row = north().get(r);
                // numbers as JSON numbers, the rest as the CSV has them; extra keys are ignored
                rows.add(Map.of("x1", Double.parseDouble(row[1]), "x2", row[2], "color", row[3], "y", row[5]));
            }
            List<?> predictions = (List<?>) stored.predict(Map.of("rows", rows)).get("predictions");
            assertThat(predictions).hasSize(expected.length);
            for (int i = 0; i < expected.length; i++) {
                double value = expected[i] * (double) norm.get("std") + (double) norm.get("mean");
                assertThat((double) predictions.get(i)).isCloseTo(value, within(1e-4));
            }
        }
    }

    @Test
    void storedClassifierAnswersClassesAndTheInMemoryModelsProbabilities() {
        TabularKind.TabularRun run = prepare(Map.of("target", "label", "features", List.of("x1", "x2", "color")));
        try (InMemory memory = new InMemory(run); LoadedModel stored = memory.stored(new TabularKind())) {
            float[] logits = memory.forward(run.validation());
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int r : run.holdoutRows()) {
                String[] row = north().get(r);
                rows.add(Map.of("x1", row[1], "x2", row[2], "color", row[3]));
            }
            Map<String, Object> answer = stored.predict(Map.of("rows", rows));
            List<?> classes = (List<?>) answer.get("predictions");
            List<?> probabilities = (List<?>) answer.get("probabilities");
            List<String> names = List.of("high", "low", "mid");
            for (int i = 0; i < rows.size(); i++) {
                double[] p = TabularMetrics.softmax(logits, i * 3, 3);
                Map<?, ?> byClass = (Map<?, ?>) probabilities.get(i);
                int best = 0;
                for (int k = 0; k < 3; k++) {
                    assertThat((double) byClass.get(names.get(k))).isCloseTo(p[k], within(1e-5));
                    best = p[k] > p[best] ? k : best;
                }
                assertThat(classes.get(i)).isEqualTo(names.get(best));
            }
        }
    }

    @Test
    void predictionInputsThatDoNotFitAreNamed() {
        TabularKind.TabularRun run = prepare(Map.of("target", "y", "features", List.of("x1", "color")));
        try (InMemory memory = new InMemory(run); LoadedModel stored = memory.stored(new TabularKind())) {
            assertThatThrownBy(() -> stored.predict(Map.of("rows", List.of())))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("'rows' must be a list of 1 to");
            assertThatThrownBy(() -> stored.predict(Map.of("rows", List.of(Map.of("x1", 1)))))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("rows[0] has no value for feature 'color'")
                    .extracting(e -> ((InvalidInputException) e).field()).isEqualTo("rows[0].color");
            Map<String, Object> bad = new HashMap<>(Map.of("x1", "ten", "color", "red"));
            assertThatThrownBy(() -> stored.predict(Map.of("rows", List.of(bad))))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("rows[0].x1 must be a number");
            assertThatThrownBy(() -> stored.predict(Map.of("rows", List.of(List.of(1, "red")))))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("rows[0] must be an object");
            // a colour never seen in training encodes as no colour at all rather than failing
            Map<String, Object> unseen = new LinkedHashMap<>(Map.of("x1", 1, "color", "purple"));
            assertThat((List<?>) stored.predict(Map.of("rows", List.of(unseen))).get("predictions")).hasSize(1);
        }
    }
}
