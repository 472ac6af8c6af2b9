package io.trainyard.models.forecaster;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.trainyard.contracts.TrainRun;
import io.trainyard.models.BlockModel;
import io.trainyard.models.Hyperparameters;
import io.trainyard.models.InvalidInputException;
import io.trainyard.models.InvalidRunException;
import io.trainyard.models.LoadedModel;
import io.trainyard.models.ModelJson;
import io.trainyard.models.Mlp;
import io.trainyard.models.ModelKind;
import io.trainyard.models.PreparedRun;
import io.trainyard.models.Samples;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Forecasts the next value of a series from the previous {@code lags} values with a multilayer perceptron.
 *
 * <p>Hyperparameters: {@code lags} (default 14), {@code hidden} layer sizes (default [64, 64]),
 * {@code holdoutFraction} (default 0.2: the last 20% of the windows, in time order, are the validation set).
 * Values are standardised with the training part's mean and deviation; metrics are in the data's units.
 *
 * <p>Prediction input: {@code {"values": [..at least lags recent values, oldest first..], "steps": 1}}; answer:
 * {@code {"predictions": [..steps next values..]}}, each step fed back as the newest value for the next one.
 */
@ApplicationScoped
public class MlpForecaster implements ModelKind {

    public static final String NAME = "mlp-forecaster";
    private static final List<String> HYPERPARAMETERS = List.of("lags", "hidden", "holdoutFraction");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public PreparedRun prepare(TrainRun command, InputStream csv) {
        Hyperparameters h = new Hyperparameters(NAME, command.model().hyperparameters());
        h.allowOnly(HYPERPARAMETERS);
        int lags = h.integer("lags", 14, 1, 365);
        List<Integer> hidden = h.integers("hidden", List.of(64, 64), 1, 8, 1, 4096);
        double holdout = h.number("holdoutFraction", 0.2, 0.05, 0.5);
        float[] series = SeriesReader.read(csv, command.data());
        int windows = series.length - lags;
        int validation = (int) Math.round(windows * holdout);
        int train = windows - validation;
        if (train < 8 || validation < 2) {
            throw new InvalidRunException("partition " + describe(command) + " has " + series.length
                    + " points: too few for lags=" + lags + " and holdoutFraction=" + holdout
                    + " (need at least " + (lags + 10) + ")");
        }
        // Statistics of the values the training windows can see, so nothing leaks from the hold-out.
        double sum = 0;
        double squares = 0;
        int seen = train + lags;
        for (int i = 0; i < seen; i++) {
            sum += series[i];
            squares += (double) series[i] * series[i];
        }
        double mean = sum / seen;
        double std = Math.sqrt(Math.max(squares / seen - mean * mean, 0));
        if (std < 1e-9) {
            std = 1;
        }
        float[] z = new float[series.length];
        for (int i = 0; i < series.length; i++) {
            z[i] = (float) ((series[i] - mean) / std);
        }
        return new Prepared(lags, hidden, holdout, mean, std, windows(z, lags, 0, train),
                windows(z, lags, train, windows));
    }

    @Override
    public LoadedModel load(Map<String, Object> metadata, byte[] parameters) {
        Map<String, Object> model = ModelJson.section(metadata);
        return new Forecaster(ModelJson.integers(model, "hidden"), (int) ModelJson.number(model, "lags"),
                ModelJson.map(model, "normalisation"), parameters);
    }

    private static String describe(TrainRun command) {
        return command.data().partition() == null ? "(whole dataset)" : "'" + command.data().partition() + "'";
    }

    private static Samples windows(float[] z, int lags, int from, int to) {
        int n = to - from;
        float[] x = new float[n * lags];
        float[] y = new float[n];
        for (int s = 0; s < n; s++) {
            int target = from + s + lags;
            System.arraycopy(z, target - lags, x, s * lags, lags);
            y[s] = z[target];
        }
        return new Samples(x, y, lags);
    }

    /** The architecture; also used to load a stored model. */
    public static Block block(List<Integer> hidden) {
        return Mlp.block(hidden, 1);
    }

    /** Most steps one prediction may ask for. */
    static final int MAX_STEPS = 1000;

    /** A stored forecaster: standardises the recent values, predicts, and feeds each prediction back. */
    static final class Forecaster extends BlockModel {
        private final int lags;
        private final double mean;
        private final double std;

        Forecaster(List<Integer> hidden, int lags, Map<String, Object> normalisation, byte[] parameters) {
            super(block(hidden), parameters);
            this.lags = lags;
            this.mean = ModelJson.number(normalisation, "mean");
            this.std = ModelJson.number(normalisation, "std");
        }

        @Override
        public Map<String, Object> predict(Map<String, Object> input) {
            if (!(input.get("values") instanceof List<?> values) || values.size() < lags) {
                throw new InvalidInputException("values", "'values' must be a list of at least " + lags
                        + " numbers: the previous " + lags + " values of the series (lags), oldest first"
                        + (input.get("values") instanceof List<?> l ? "; it has " + l.size() : ""));
            }
            int steps = 1;
            if (input.containsKey("steps")) {
                if (!(input.get("steps") instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
                        || n.intValue() < 1 || n.intValue() > MAX_STEPS) {
                    throw new InvalidInputException("steps", "'steps' must be an integer from 1 to " + MAX_STEPS
                            + ": how many values to forecast; was " + input.get("steps"));
                }
                steps = n.intValue();
            }
            float[] window = new float[lags];
            int from = values.size() - lags;
            for (int i = 0; i < lags; i++) {
                Object value = values.get(from + i);
                if (!(value instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                    throw new InvalidInputException("values[" + (from + i) + "]", "values[" + (from + i)
                            + "] must be a finite number; was " + value);
                }
                window[i] = (float) ((n.doubleValue() - mean) / std);
            }
            List<Double> predictions = new ArrayList<>(steps);
            for (int step = 0; step < steps; step++) {
                float next = forward(window, 1, lags)[0];
                predictions.add(next * std + mean);
                System.arraycopy(window, 1, window, 0, lags - 1);
                window[lags - 1] = next;
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("predictions", predictions);
            return answer;
        }
    }

    private record Prepared(int lags, List<Integer> hidden, double holdout, double mean, double std, Samples train,
            Samples validation) implements PreparedRun {

        @Override
        public Block newBlock() {
            return block(hidden);
        }

        @Override
        public Shape inputShape() {
            return new Shape(1, lags);
        }

        @Override
        public NDArray loss(NDArray prediction, NDArray label) {
            return prediction.reshape(label.getShape()).sub(label).square().mean();
        }

        @Override
        public Map<String, Double> metrics(float[] predictions, float[] labels) {
            double absolute = 0;
            double squared = 0;
            double percent = 0;
            int percentCount = 0;
            for (int i = 0; i < labels.length; i++) {
                double truth = labels[i] * std + mean;
                double error = predictions[i] * std + mean - truth;
                absolute += Math.abs(error);
                squared += error * error;
                if (Math.abs(truth) > 1e-9) {
                    percent += Math.abs(error / truth);
                    percentCount++;
                }
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("mae", absolute / labels.length);
            metrics.put("rmse", Math.sqrt(squared / labels.length));
            if (percentCount > 0) {
                metrics.put("mape", 100 * percent / percentCount);
            }
            return metrics;
        }

        @Override
        public Map<String, Object> describe() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("lags", lags);
            d.put("hidden", hidden);
            d.put("holdoutFraction", holdout);
            d.put("normalisation", Map.of("mean", mean, "std", std));
            d.put("input", "the previous " + lags + " values, oldest first, standardised with normalisation");
            d.put("output", "the next value, standardised: multiply by std and add mean");
            return d;
        }
    }
}
