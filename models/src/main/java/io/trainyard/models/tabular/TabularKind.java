package io.trainyard.models.tabular;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.trainyard.contracts.TrainRun;
import io.trainyard.models.BlockModel;
import io.trainyard.models.Hyperparameters;
import io.trainyard.models.InvalidInputException;
import io.trainyard.models.InvalidRunException;
import io.trainyard.models.LoadedModel;
import io.trainyard.models.Mlp;
import io.trainyard.models.ModelJson;
import io.trainyard.models.ModelKind;
import io.trainyard.models.PreparedRun;
import io.trainyard.models.Samples;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * A multilayer perceptron on the rows of a CSV dataset: predicts a target column from feature columns, as a
 * regression (a number) or a classification (one of the target's values, with class probabilities).
 *
 * <p>Hyperparameters: {@code target} (required: the column to predict); {@code features} (a list of columns or a
 * comma-separated string; default: every other numeric column except the partition column; a column of text is
 * one-hot encoded when it has at most {@code maxCategories} values, default 20); {@code task} ({@code regression}
 * or {@code classification}; default regression for a numeric target, classification otherwise); {@code hidden}
 * (default [64, 64]); {@code holdoutFraction} (default 0.2: that share of the rows, drawn from the run's seed, is
 * the validation set).
 *
 * <p>Numeric features (and a regression target) are standardised with the training rows' mean and deviation only.
 * Metrics on the hold-out: {@code mae}, {@code rmse}, {@code r2} (regression, in the target's units);
 * {@code accuracy}, {@code macroF1}, {@code logLoss} (classification; the training loss is the same softmax
 * cross-entropy as {@code logLoss}).
 *
 * <p>Prediction input: {@code {"rows": [{"<feature>": value, ...}, ...]}} (other keys are ignored, so CSV rows
 * can be sent as they are); answer: {@code {"predictions": [...]}} and, for a classification,
 * {@code "probabilities": [{"<class>": p, ...}, ...]}.
 */
@ApplicationScoped
public class TabularKind implements ModelKind {

    public static final String NAME = "tabular";
    public static final String REGRESSION = "regression";
    public static final String CLASSIFICATION = "classification";
    static final List<String> HYPERPARAMETERS = List.of("target", "features", "task", "hidden", "holdoutFraction",
            "maxCategories");
    /** Most classes a classification may have. */
    static final int MAX_CLASSES = 100;
    /** Most rows one prediction request may carry. */
    static final int MAX_ROWS = 10_000;
    private static final int MAX_FEATURES = 1000;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public PreparedRun prepare(TrainRun command, InputStream csv) {
        Hyperparameters h = new Hyperparameters(NAME, command.model().hyperparameters());
        h.allowOnly(HYPERPARAMETERS);
        String target = h.string("target").orElseThrow(() -> new InvalidRunException("model kind '" + NAME
                + "' needs the hyperparameter 'target': the column to predict"));
        List<String> named = h.names("features", MAX_FEATURES).orElse(null);
        String task = h.choice("task", null, List.of(REGRESSION, CLASSIFICATION));
        List<Integer> hidden = h.integers("hidden", List.of(64, 64), 1, 8, 1, 4096);
        double holdout = h.number("holdoutFraction", 0.2, 0.05, 0.5);
        int maxCategories = h.integer("maxCategories", 20, 2, 1000);

        Table table = Table.read(csv, command.data());
        String dataset = "dataset '" + command.data().datasetId() + "'";
        String columns = String.join(", ", table.columns());
        int targetColumn = table.column(target);
        if (targetColumn < 0) {
            throw new InvalidRunException("target '" + target + "' is not a column of " + dataset + " (columns: "
                    + columns + ")");
        }

        int n = table.rows().size();
        int validation = (int) Math.round(n * holdout);
        int train = n - validation;
        if (train < 8 || validation < 2) {
            throw new InvalidRunException(where(command) + " has " + n + " rows: too few for holdoutFraction="
                    + holdout + " (need at least 10, with at least 2 held out)");
        }
        int[][] split = split(n, command.training().seed(), validation);
        int[] trainRows = split[0];
        int[] holdoutRows = split[1];

        int[] allRows = IntStream.range(0, n).toArray();
        Table.Type targetType = table.type(targetColumn, allRows);
        long emptyTarget = table.firstEmptyLine(targetColumn, allRows);
        if (emptyTarget >= 0) {
            throw new InvalidRunException(dataset + " line " + emptyTarget + ": target '" + target
                    + "' is empty; every row needs a target value (drop or fill such rows)");
        }
        if (task == null) {
            task = targetType == Table.Type.NUMBER ? REGRESSION : CLASSIFICATION;
        } else if (task.equals(REGRESSION) && targetType != Table.Type.NUMBER) {
            throw new InvalidRunException("target '" + target + "' holds text (e.g. '"
                    + firstText(table, targetColumn) + "'): a regression needs a numeric target; use task="
                    + CLASSIFICATION);
        }

        List<Feature> features = features(table, named, target, command.data().partitionColumn(), allRows,
                trainRows, maxCategories, dataset);
        int width = features.stream().mapToInt(Feature::width).sum();

        Target encoded = task.equals(REGRESSION) ? Target.regression(table, targetColumn, trainRows)
                : Target.classification(table, targetColumn, target);
        return new TabularRun(task, target, features, width, encoded, hidden, holdout,
                samples(table, features, width, encoded, targetColumn, trainRows),
                samples(table, features, width, encoded, targetColumn, holdoutRows), holdoutRows);
    }

    @Override
    public LoadedModel load(Map<String, Object> metadata, byte[] parameters) {
        Map<String, Object> model = ModelJson.section(metadata);
        List<Feature> features = ModelJson.objects(model, "features").stream().map(Feature::of).toList();
        String task = ModelJson.string(model, "task");
        List<Integer> hidden = ModelJson.integers(model, "hidden");
        if (task.equals(CLASSIFICATION)) {
            List<String> classes = ModelJson.strings(model, "classes");
            return new Stored(features, Mlp.block(hidden, classes.size()), parameters, classes, 0, 1);
        }
        Map<String, Object> normalisation = ModelJson.map(model, "targetNormalisation");
        return new Stored(features, Mlp.block(hidden, 1), parameters, null,
                ModelJson.number(normalisation, "mean"), ModelJson.number(normalisation, "std"));
    }

    private static String where(TrainRun command) {
        return command.data().partition() == null ? "dataset '" + command.data().datasetId() + "'"
                : "partition '" + command.data().partition() + "'";
    }

    /**
     * Which rows are held out: a shuffle seeded by the run's seed alone, so every attempt of the run splits the
     * same way. Returns {training rows, held-out rows}, each in file order.
     */
    static int[][] split(int n, long seed, int validation) {
        int[] order = IntStream.range(0, n).toArray();
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] holdout = Arrays.copyOfRange(order, 0, validation);
        int[] train = Arrays.copyOfRange(order, validation, n);
        Arrays.sort(holdout);
        Arrays.sort(train);
        return new int[][] {train, holdout};
    }

    /** The features: types from every row, statistics and categories from the training rows only. */
    private static List<Feature> features(Table table, List<String> named, String target, String partitionColumn,
            int[] allRows, int[] trainRows, int maxCategories, String dataset) {
        String columns = String.join(", ", table.columns());
        List<String> names = named;
        if (names == null) {
            names = table.columns().stream()
                    .filter(c -> !c.equals(target) && !c.equals(partitionColumn))
                    .filter(c -> table.type(table.column(c), allRows) == Table.Type.NUMBER)
                    .toList();
            if (names.isEmpty()) {
                throw new InvalidRunException(dataset + " has no numeric column besides target '" + target
                        + "' to use as a feature; name the columns to use in the hyperparameter 'features' "
                        + "(text columns are one-hot encoded)");
            }
        }
        List<Feature> features = new ArrayList<>();
        for (String name : names) {
            int column = table.column(name);
            if (column < 0) {
                throw new InvalidRunException("feature '" + name + "' is not a column of " + dataset
                        + " (columns: " + columns + ")");
            }
            if (name.equals(target)) {
                throw new InvalidRunException("feature '" + name + "' is the target; leave it out of 'features'");
            }
            if (name.equals(partitionColumn)) {
                throw new InvalidRunException("feature '" + name + "' is the partition column: it has one value in "
                        + "each run, so it cannot help; leave it out of 'features'");
            }
            switch (table.type(column, allRows)) {
                case NUMBER -> {
                    double[] stats = meanAndStd(table, column, trainRows);
                    features.add(new Feature.Numeric(name, stats[0], stats[1]));
                }
                case NUMBER_WITH_GAPS -> throw new InvalidRunException(dataset + " line "
                        + table.firstEmptyLine(column, allRows) + ": feature '" + name + "' is empty; every row "
                        + "needs a value in each feature (fill or drop such rows, or leave the column out)");
                case TEXT -> {
                    TreeSet<String> categories = new TreeSet<>();
                    for (int r : trainRows) {
                        categories.add(table.text(r, column));
                    }
                    if (categories.size() > maxCategories) {
                        throw new InvalidRunException("feature '" + name + "' holds text with " + categories.size()
                                + " distinct values in the training rows; one-hot encoding takes at most "
                                + "maxCategories=" + maxCategories + ": leave it out of 'features' or raise "
                                + "maxCategories (at most 1000)");
                    }
                    features.add(new Feature.Categorical(name, List.copyOf(categories)));
                }
            }
        }
        return features;
    }

    /** Mean and population deviation of a numeric column over {@code rows}; a constant column gets deviation 1. */
    private static double[] meanAndStd(Table table, int column, int[] rows) {
        double sum = 0;
        for (int r : rows) {
            sum += table.number(r, column);
        }
        double mean = sum / rows.length;
        double squares = 0;
        for (int r : rows) {
            double d = table.number(r, column) - mean;
            squares += d * d;
        }
        double std = Math.sqrt(squares / rows.length);
        return new double[] {mean, std < 1e-9 ? 1 : std};
    }

    private static String firstText(Table table, int column) {
        for (int r = 0; r < table.rows().size(); r++) {
            if (!Table.isNumber(table.text(r, column))) {
                return table.text(r, column);
            }
        }
        return "";
    }

    private static Samples samples(Table table, List<Feature> features, int width, Target target, int targetColumn,
            int[] rows) {
        float[] x = new float[rows.length * width];
        float[] y = new float[rows.length];
        int[] columns = features.stream().mapToInt(f -> table.column(f.name())).toArray();
        for (int s = 0; s < rows.length; s++) {
            int offset = s * width;
            for (int f = 0; f < features.size(); f++) {
                features.get(f).encode(table.text(rows[s], columns[f]), x, offset);
                offset += features.get(f).width();
            }
            y[s] = target.encode(table.text(rows[s], targetColumn));
        }
        return new Samples(x, y, width);
    }

    /** The target as a label: standardised number (regression) or class index (classification). */
    record Target(List<String> classes, double mean, double std) {

        static Target regression(Table table, int column, int[] trainRows) {
            double[] stats = meanAndStd(table, column, trainRows);
            return new Target(null, stats[0], stats[1]);
        }

        static Target classification(Table table, int column, String name) {
            TreeSet<String> values = new TreeSet<>(classOrder());
            for (int r = 0; r < table.rows().size(); r++) {
                values.add(table.text(r, column));
            }
            if (values.size() < 2) {
                throw new InvalidRunException("target '" + name + "' has only the value '" + values.first()
                        + "': a classification needs at least 2 classes");
            }
            if (values.size() > MAX_CLASSES) {
                throw new InvalidRunException("target '" + name + "' has " + values.size() + " distinct values: a "
                        + "classification takes at most " + MAX_CLASSES + " classes; for a numeric target use task="
                        + REGRESSION);
            }
            return new Target(List.copyOf(values), 0, 1);
        }

        boolean isClassification() {
            return classes != null;
        }

        float encode(String value) {
            return isClassification() ? classes.indexOf(value) : (float) ((Double.parseDouble(value) - mean) / std);
        }
    }

    /** Classes in a total order: numbers first, by value ("2" before "10"), then text, alphabetically. */
    static Comparator<String> classOrder() {
        return (a, b) -> {
            boolean numberA = Table.isNumber(a);
            boolean numberB = Table.isNumber(b);
            if (numberA && numberB) {
                int byValue = Double.compare(Double.parseDouble(a), Double.parseDouble(b));
                return byValue != 0 ? byValue : a.compareTo(b);
            }
            if (numberA != numberB) {
                return numberA ? -1 : 1;
            }
            return a.compareTo(b);
        };
    }

    /**
     * A tabular run ready to train.
     *
     * @param holdoutRows the held-out rows, as indices into the run's rows (its partition's rows in file order), in
     *                    the order of {@link #validation()}'s samples
     */
    public record TabularRun(String task, String target, List<Feature> features, int width, Target encodedTarget,
            List<Integer> hidden, double holdoutFraction, Samples train, Samples validation, int[] holdoutRows)
            implements PreparedRun {

        int outputs() {
            return encodedTarget.isClassification() ? encodedTarget.classes().size() : 1;
        }

        @Override
        public Block newBlock() {
            return Mlp.block(hidden, outputs());
        }

        @Override
        public Shape inputShape() {
            return new Shape(1, width);
        }

        @Override
        public NDArray loss(NDArray prediction, NDArray label) {
            if (!encodedTarget.isClassification()) {
                return prediction.reshape(label.getShape()).sub(label).square().mean();
            }
            // Softmax cross-entropy from array operations only: the one-hot mask is an array of the batch's scope
            // that lives until backward is done, never a Java number turned into a temporary array (NOTES.md).
            NDArray mask = label.oneHot(outputs());
            return prediction.logSoftmax(1).mul(mask).sum(new int[] {1}).mean().neg();
        }

        @Override
        public Map<String, Double> metrics(float[] predictions, float[] labels) {
            return encodedTarget.isClassification()
                    ? TabularMetrics.classification(predictions, outputs(), labels)
                    : TabularMetrics.regression(predictions, labels, encodedTarget.mean(), encodedTarget.std());
        }

        @Override
        public Map<String, Object> describe() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("task", task);
            d.put("target", target);
            d.put("features", features.stream().map(Feature::describe).toList());
            if (encodedTarget.isClassification()) {
                d.put("classes", encodedTarget.classes());
            } else {
                d.put("targetNormalisation", Map.of("mean", encodedTarget.mean(), "std", encodedTarget.std()));
            }
            d.put("hidden", hidden);
            d.put("holdoutFraction", holdoutFraction);
            d.put("inputWidth", width);
            d.put("trainRows", train.size());
            d.put("holdoutRows", validation.size());
            d.put("input", "rows: objects with a value for each feature; numbers are standardised with their "
                    + "feature's mean and std, categories one-hot encoded over their feature's categories");
            d.put("output", encodedTarget.isClassification()
                    ? "one logit per class, in the order of classes; softmax gives the probabilities"
                    : "the target, standardised: multiply by targetNormalisation.std and add its mean");
            return d;
        }
    }

    /** A stored tabular model: encodes rows as training did, predicts, and decodes the outputs. */
    static final class Stored extends BlockModel {
        private final List<Feature> features;
        private final int width;
        private final List<String> classes;
        private final double mean;
        private final double std;

        Stored(List<Feature> features, Block block, byte[] parameters, List<String> classes, double mean,
                double std) {
            super(block, parameters);
            this.features = features;
            this.width = features.stream().mapToInt(Feature::width).sum();
            this.classes = classes;
            this.mean = mean;
            this.std = std;
        }

        @Override
        public Map<String, Object> predict(Map<String, Object> input) {
            String expected = "'rows' must be a list of 1 to " + MAX_ROWS + " objects, each with a value for every "
                    + "feature: " + String.join(", ", features.stream().map(Feature::name).toList());
            if (!(input.get("rows") instanceof List<?> rows) || rows.isEmpty() || rows.size() > MAX_ROWS) {
                throw new InvalidInputException("rows", expected + (input.get("rows") instanceof List<?> l
                        ? "; it has " + l.size() : ""));
            }
            float[] x = new float[rows.size() * width];
            for (int r = 0; r < rows.size(); r++) {
                if (!(rows.get(r) instanceof Map<?, ?> row)) {
                    throw new InvalidInputException("rows[" + r + "]", "rows[" + r + "] must be an object; "
                            + expected);
                }
                int offset = r * width;
                for (Feature feature : features) {
                    String field = "rows[" + r + "]." + feature.name();
                    Object value = row.get(feature.name());
                    if (value == null) {
                        throw new InvalidInputException(field, "rows[" + r + "] has no value for feature '"
                                + feature.name() + "'; " + expected);
                    }
                    feature.encode(feature.text(value, field), x, offset);
                    offset += feature.width();
                }
            }
            float[] out = forward(x, rows.size(), width);
            Map<String, Object> answer = new LinkedHashMap<>();
            if (classes == null) {
                List<Double> predictions = new ArrayList<>(rows.size());
                for (float z : out) {
                    predictions.add(z * std + mean);
                }
                answer.put("predictions", predictions);
                return answer;
            }
            List<String> predictions = new ArrayList<>(rows.size());
            List<Map<String, Double>> probabilities = new ArrayList<>(rows.size());
            int c = classes.size();
            for (int r = 0; r < rows.size(); r++) {
                double[] p = TabularMetrics.softmax(out, r * c, c);
                Map<String, Double> byClass = new LinkedHashMap<>();
                int best = 0;
                for (int k = 0; k < c; k++) {
                    byClass.put(classes.get(k), p[k]);
                    if (p[k] > p[best]) {
                        best = k;
                    }
                }
                predictions.add(classes.get(best));
                probabilities.add(byClass);
            }
            answer.put("predictions", predictions);
            answer.put("probabilities", probabilities);
            return answer;
        }
    }
}
