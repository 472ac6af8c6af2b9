package io.trainyard.trainer.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.trainyard.contracts.DataSpec;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.ModelSpec;
import io.trainyard.contracts.TrainRun;
import io.trainyard.contracts.TrainingSpec;
import io.trainyard.models.LoadedModel;
import io.trainyard.models.tabular.TabularKind;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The tabular kind trained by the trainer's loop on generated data: it learns, its metrics are what the stored
 * model's predictions on the hold-out give, and training is as deterministic as the forecaster's.
 */
class TabularTrainingTest {

    static final String[] COLORS = {"red", "green", "blue"};
    static final List<String[]> ROWS = new ArrayList<>();
    static final String CSV;

    static {
        // y = 3 x1 - 2 x2 + 4 [red] + noise; label: which third of y's range a row falls in
        SplittableRandom random = new SplittableRandom(11);
        StringBuilder csv = new StringBuilder("x1,x2,color,y,label\n");
        for (int i = 0; i < 600; i++) {
            double x1 = random.nextDouble() * 4;
            double x2 = random.nextDouble() * 4;
            String color = COLORS[random.nextInt(3)];
            double y = 3 * x1 - 2 * x2 + (color.equals("red") ? 4 : 0) + random.nextGaussian() * 0.3;
            String label = y > 5 ? "high" : y > 0 ? "mid" : "low";
            String[] row = {Double.toString(x1), Double.toString(x2), color, Double.toString(y), label};
            ROWS.add(row);
            csv.append(String.join(",", row)).append('\n');
        }
        CSV = csv.toString();
    }

    static final TrainingSpec SPEC = new TrainingSpec(40, 32, 1e-2, 3, 10);

    static TrainRun command(Map<String, Object> hyperparameters) {
        return new TrainRun(Messages.SCHEMA_VERSION, UUID.randomUUID(), UUID.randomUUID(), "cpu",
                new DataSpec("table", null, null, "date", "y"), new ModelSpec(TabularKind.NAME, hyperparameters),
                SPEC, 0, Instant.now());
    }

    static TabularKind.TabularRun prepare(Map<String, Object> hyperparameters) {
        return (TabularKind.TabularRun) new TabularKind().prepare(command(hyperparameters),
                new ByteArrayInputStream(CSV.getBytes(StandardCharsets.UTF_8)));
    }

    /** The held-out rows as prediction input, straight from the CSV (target columns included, and ignored). */
    static List<Map<String, Object>> heldOut(TabularKind.TabularRun run) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int r : run.holdoutRows()) {
            String[] row = ROWS.get(r);
            rows.add(Map.of("x1", Double.parseDouble(row[0]), "x2", Double.parseDouble(row[1]), "color", row[2],
                    "y", row[3], "label", row[4]));
        }
        return rows;
    }

    static LoadedModel stored(TabularKind.TabularRun run, TrainingLoop.Result result) {
        return new TabularKind().load(Map.of("model", run.describe()), result.model());
    }

    @Test
    void regressionLearnsAndItsMetricsAreTheStoredModelsErrorsOnTheHoldOut() {
        TabularKind.TabularRun run = prepare(Map.of("target", "y", "features", List.of("x1", "x2", "color"),
                "hidden", List.of(32)));
        TrainingLoop.Result result = TrainingLoop.train(run, SPEC, null, new TrainingLoopTest.Recorder());

        List<Map<String, Object>> rows = heldOut(run);
        List<?> predictions;
        try (LoadedModel model = stored(run, result)) {
            predictions = (List<?>) model.predict(Map.of("rows", rows)).get("predictions");
        }
        double absolute = 0;
        double squared = 0;
        double mean = rows.stream().mapToDouble(r -> Double.parseDouble((String) r.get("y"))).average().orElseThrow();
        double total = 0;
        for (int i = 0; i < rows.size(); i++) {
            double truth = Double.parseDouble((String) rows.get(i).get("y"));
            double error = (double) predictions.get(i) - truth;
            absolute += Math.abs(error);
            squared += error * error;
            total += (truth - mean) * (truth - mean);
        }
        Map<String, Double> metrics = result.metrics();
        assertThat(metrics.keySet()).containsExactly("mae", "rmse", "r2");
        assertThat(metrics.get("mae")).isCloseTo(absolute / rows.size(), within(1e-4));
        assertThat(metrics.get("rmse")).isCloseTo(Math.sqrt(squared / rows.size()), within(1e-4));
        assertThat(metrics.get("r2")).isCloseTo(1 - squared / total, within(1e-5));
        assertThat(metrics.get("r2")).as("it learnt the linear relation").isGreaterThan(0.9);
    }

    @Test
    void classificationBeatsTheMajorityClassAndItsMetricsAreTheStoredModelsOnTheHoldOut() {
        TabularKind.TabularRun run = prepare(Map.of("target", "label", "features", "x1,x2,color",
                "hidden", List.of(32)));
        TrainingLoop.Result result = TrainingLoop.train(run, SPEC, null, new TrainingLoopTest.Recorder());

        List<Map<String, Object>> rows = heldOut(run);
        Map<String, Object> answer;
        try (LoadedModel model = stored(run, result)) {
            answer = model.predict(Map.of("rows", rows));
        }
        List<?> predicted = (List<?>) answer.get("predictions");
        List<?> probabilities = (List<?>) answer.get("probabilities");
        List<String> classes = List.of("high", "low", "mid");
        int correct = 0;
        double logLoss = 0;
        int[] tp = new int[3];
        int[] actual = new int[3];
        int[] guessed = new int[3];
        Map<String, Integer> frequency = new HashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            String truth = (String) rows.get(i).get("label");
            frequency.merge(truth, 1, Integer::sum);
            int t = classes.indexOf(truth);
            int p = classes.indexOf((String) predicted.get(i));
            actual[t]++;
            guessed[p]++;
            if (t == p) {
                correct++;
                tp[t]++;
            }
            logLoss -= Math.log((double) ((Map<?, ?>) probabilities.get(i)).get(truth));
        }
        double f1 = 0;
        int present = 0;
        for (int k = 0; k < 3; k++) {
            if (actual[k] + guessed[k] > 0) {
                present++;
                f1 += 2.0 * tp[k] / (actual[k] + guessed[k]);
            }
        }
        double accuracy = (double) correct / rows.size();
        double majority = (double) frequency.values().stream().mapToInt(Integer::intValue).max().orElseThrow()
                / rows.size();

        Map<String, Double> metrics = result.metrics();
        assertThat(metrics.keySet()).containsExactly("accuracy", "macroF1", "logLoss");
        assertThat(metrics.get("accuracy")).isCloseTo(accuracy, within(1e-12));
        assertThat(metrics.get("macroF1")).isCloseTo(f1 / present, within(1e-12));
        assertThat(metrics.get("logLoss")).isCloseTo(logLoss / rows.size(), within(1e-4));
        assertThat(accuracy).as("majority baseline %.3f", majority).isGreaterThan(majority + 0.2);
    }

    @Test
    void classificationTrainsBitIdenticallyUnderGarbageCollectorPressureAndAcrossAResume() {
        TabularKind.TabularRun run = prepare(Map.of("target", "label", "hidden", List.of(16)));
        TrainingSpec spec = new TrainingSpec(6, 32, 1e-2, 5, 2);
        TrainingLoopTest.Recorder uninterrupted = new TrainingLoopTest.Recorder();
        byte[] expected = TrainingLoop.train(run, spec, null, uninterrupted).parameters();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread pressure = new Thread(() -> {
            while (running.get()) {
                byte[][] garbage = new byte[64][];
                for (int i = 0; i < garbage.length; i++) {
                    garbage[i] = new byte[64 * 1024];
                }
                System.gc();
            }
        });
        pressure.start();
        try {
            assertThat(TrainingLoop.train(run, spec, null, new TrainingLoopTest.Recorder()).parameters())
                    .isEqualTo(expected);
            TrainingLoop.Snapshot checkpoint = uninterrupted.checkpoints.get(1);
            assertThat(TrainingLoop.train(run, spec, checkpoint, new TrainingLoopTest.Recorder()).parameters())
                    .isEqualTo(expected);
        } finally {
            running.set(false);
        }
    }
}
