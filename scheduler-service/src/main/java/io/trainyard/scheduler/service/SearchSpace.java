package io.trainyard.scheduler.service;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The points of a spec's search: each point is the hyperparameters and training settings one run per partition gets
 * on top of the spec's own. A spec without a search has one point that changes nothing.
 *
 * <p>Parameter names: {@code training.<setting>} names a training setting, {@code model.hyperparameters.<name>} a
 * hyperparameter, and a plain name the training setting of that name if there is one ({@code learningRate}), a
 * hyperparameter otherwise ({@code hidden}). A grid is the cartesian product of the value lists in the order the
 * parameters are written, the last one varying fastest. A random search draws {@code samples} points with
 * {@link Random} seeded by the search's seed, parameter by parameter in the order they are written, so the same spec
 * always expands into the same points.
 */
public final class SearchSpace {

    /** One point: what it sets, by hyperparameter and by training setting name, in the order of the parameters. */
    public record Point(Map<String, Object> hyperparameters, Map<String, Object> training) {

        static final Point NONE = new Point(Map.of(), Map.of());
    }

    private static final String TRAINING_PREFIX = "training.";
    private static final String HYPERPARAMETER_PREFIX = "model.hyperparameters.";
    private static final Set<String> RANGE_KEYS = Set.of("min", "max", "log");

    /** A training setting a search may vary, with the bounds {@link ExperimentSpec.Training} declares. */
    private enum Setting {
        EPOCHS("epochs", true, 1, 100_000),
        BATCH_SIZE("batchSize", true, 1, 1_000_000),
        LEARNING_RATE("learningRate", false, 0, 10),
        SEED("seed", true, Long.MIN_VALUE, Long.MAX_VALUE),
        CHECKPOINT_EVERY("checkpointEvery", true, 1, 100_000);

        final String field;
        final boolean integral;
        final double min;
        final double max;

        Setting(String field, boolean integral, double min, double max) {
            this.field = field;
            this.integral = integral;
            this.min = min;
            this.max = max;
        }

        static Setting named(String name) {
            for (Setting setting : values()) {
                if (setting.field.equals(name)) {
                    return setting;
                }
            }
            return null;
        }

        /** Null when {@code value} fits, else what is wrong. */
        String check(Object value) {
            if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue())) {
                return "must be a number";
            }
            double v = number.doubleValue();
            if (integral && v != Math.rint(v)) {
                return "must be a whole number";
            }
            if (this == LEARNING_RATE ? !(v > min && v <= max) : v < min || v > max) {
                return this == LEARNING_RATE ? "must be greater than 0 and at most 10"
                        : "must be between " + (long) min + " and " + (long) max;
            }
            return null;
        }
    }

    /** What one parameter varies: a training setting, or a hyperparameter (setting null). */
    private record Target(String path, String name, Setting setting) {

        String check(Object value) {
            return setting != null ? setting.check(value) : SpecValidator.isHyperparameterValue(value) ? null
                    : "must be a number, a string, a boolean, or a list of numbers or of strings";
        }
    }

    /** A parameter with its values: a list (grid, choices) or a range. */
    private record Parameter(Target target, List<Object> values, Double min, Double max, boolean log,
            boolean integral) {

        Object draw(Random random) {
            if (values != null) {
                return values.get(random.nextInt(values.size()));
            }
            double u = random.nextDouble();
            double v = log ? Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min))) : min + u * (max - min);
            if (!integral) {
                return Math.min(max, Math.max(min, v));
            }
            long whole = Math.max((long) Math.ceil(min), Math.min((long) Math.floor(max), Math.round(v)));
            return whole >= Integer.MIN_VALUE && whole <= Integer.MAX_VALUE ? (Object) (int) whole : whole;
        }
    }

    private final boolean grid;
    private final List<Parameter> parameters;
    private final long samples;
    private final long seed;

    private SearchSpace(boolean grid, List<Parameter> parameters, long samples, long seed) {
        this.grid = grid;
        this.parameters = parameters;
        this.samples = samples;
        this.seed = seed;
    }

    /** The space of a spec without a search: one point. */
    public static SearchSpace none() {
        return new SearchSpace(true, List.of(), 1, 0);
    }

    /**
     * Checks a search whose declared constraints (type, samples, parameters present) already hold, adding what is
     * wrong to {@code violations}; null when something is.
     *
     * @param defaultSeed seed of a random search that names none: the spec's training seed
     */
    static SearchSpace check(ExperimentSpec.Search search, long defaultSeed, List<Violation> violations) {
        int before = violations.size();
        boolean grid = "grid".equals(search.type());
        if (grid && search.samples() != null) {
            violations.add(new Violation("search.samples", "only a random search has samples; a grid has one point"
                    + " per combination of its value lists"));
        }
        if (grid && search.seed() != null) {
            violations.add(new Violation("search.seed", "only a random search has a seed"));
        }
        if (!grid && search.samples() == null) {
            violations.add(new Violation("search.samples", "a random search needs samples: how many points to draw"
                    + " (at least 1)"));
        }
        List<Parameter> parameters = new ArrayList<>();
        Map<String, String> targets = new LinkedHashMap<>();
        search.parameters().forEach((key, value) -> {
            String path = "search.parameters." + key;
            Target target = target(key, path, violations);
            if (target == null) {
                return;
            }
            String kind = (target.setting() != null ? "training." : "model.hyperparameters.") + target.name();
            String earlier = targets.putIfAbsent(kind, key);
            if (earlier != null) {
                violations.add(new Violation(path, "names " + kind + " like '" + earlier + "' does; name it once"));
                return;
            }
            Parameter parameter = grid ? gridParameter(target, value, violations)
                    : randomParameter(target, value, violations);
            if (parameter != null) {
                parameters.add(parameter);
            }
        });
        if (violations.size() > before) {
            return null;
        }
        long samples = grid ? parameters.stream().mapToLong(p -> p.values().size())
                .reduce(1, SearchSpace::saturatedProduct) : search.samples();
        return new SearchSpace(grid, List.copyOf(parameters), samples,
                search.seed() != null ? search.seed() : defaultSeed);
    }

    /** How many points the search has (saturating at {@link Long#MAX_VALUE}); cheap, nothing is expanded. */
    public long size() {
        return samples;
    }

    /** Every point, in order; call it only once {@link #size()} is known to be reasonable. */
    public List<Point> points() {
        if (parameters.isEmpty()) {
            return Collections.nCopies(Math.toIntExact(samples), Point.NONE);
        }
        List<Point> points = new ArrayList<>(Math.toIntExact(samples));
        if (grid) {
            int[] index = new int[parameters.size()];
            for (long n = 0; n < samples; n++) {
                List<Object> values = new ArrayList<>(parameters.size());
                for (int i = 0; i < index.length; i++) {
                    values.add(parameters.get(i).values().get(index[i]));
                }
                points.add(point(values));
                for (int i = index.length - 1; i >= 0; i--) { // odometer: the last parameter varies fastest
                    if (++index[i] < parameters.get(i).values().size()) {
                        break;
                    }
                    index[i] = 0;
                }
            }
        } else {
            Random random = new Random(seed);
            for (long n = 0; n < samples; n++) {
                List<Object> values = new ArrayList<>(parameters.size());
                parameters.forEach(p -> values.add(p.draw(random)));
                points.add(point(values));
            }
        }
        return points;
    }

    private Point point(List<Object> values) {
        Map<String, Object> hyperparameters = new LinkedHashMap<>();
        Map<String, Object> training = new LinkedHashMap<>();
        for (int i = 0; i < values.size(); i++) {
            Target target = parameters.get(i).target();
            (target.setting() != null ? training : hyperparameters).put(target.name(), values.get(i));
        }
        return new Point(hyperparameters, training);
    }

    private static Target target(String key, String path, List<Violation> violations) {
        if (key.startsWith(TRAINING_PREFIX)) {
            String name = key.substring(TRAINING_PREFIX.length());
            Setting setting = Setting.named(name);
            if (setting == null) {
                violations.add(new Violation(path, "unknown training setting '" + name + "'; a search can vary "
                        + "training.epochs, training.batchSize, training.learningRate, training.seed, "
                        + "training.checkpointEvery"));
                return null;
            }
            return new Target(path, name, setting);
        }
        if (key.startsWith(HYPERPARAMETER_PREFIX)) {
            String name = key.substring(HYPERPARAMETER_PREFIX.length());
            if (name.isBlank()) {
                violations.add(new Violation(path, "names no hyperparameter"));
                return null;
            }
            return new Target(path, name, null);
        }
        if (key.isBlank() || key.contains(".")) {
            violations.add(new Violation(path, "not a parameter name; use a hyperparameter's name, "
                    + "model.hyperparameters.<name> or training.<setting>"));
            return null;
        }
        Setting setting = Setting.named(key);
        return new Target(path, key, setting);
    }

    private static Parameter gridParameter(Target target, Object value, List<Violation> violations) {
        if (!(value instanceof List<?> list) || list.isEmpty()) {
            violations.add(new Violation(target.path(), "a grid parameter must be a non-empty list of values, "
                    + "e.g. [7, 14]"));
            return null;
        }
        List<Object> values = checkValues(target, target.path(), list, violations);
        return values == null ? null : new Parameter(target, values, null, null, false, false);
    }

    private static Parameter randomParameter(Target target, Object value, List<Violation> violations) {
        String accepted = "a random parameter must be a range {\"min\": .., \"max\": .., \"log\": true|false} or "
                + "choices {\"choices\": [..]}";
        if (!(value instanceof Map<?, ?> map)) {
            violations.add(new Violation(target.path(), accepted));
            return null;
        }
        if (map.containsKey("choices")) {
            if (map.size() != 1 || !(map.get("choices") instanceof List<?> list) || list.isEmpty()) {
                violations.add(new Violation(target.path(), accepted + "; choices must be a non-empty list"));
                return null;
            }
            List<Object> values = checkValues(target, target.path() + ".choices", list, violations);
            return values == null ? null : new Parameter(target, values, null, null, false, false);
        }
        if (!RANGE_KEYS.containsAll(map.keySet()) || !map.containsKey("min") || !map.containsKey("max")) {
            violations.add(new Violation(target.path(), accepted));
            return null;
        }
        int before = violations.size();
        Object min = map.get("min");
        Object max = map.get("max");
        Object log = map.containsKey("log") ? map.get("log") : Boolean.FALSE;
        for (Map.Entry<String, Object> bound : List.of(Map.entry("min", nullToText(min)),
                Map.entry("max", nullToText(max)))) {
            String problem = bound.getValue() instanceof Number
                    ? (target.setting() != null ? target.setting().check(bound.getValue()) : null)
                    : "must be a number";
            if (problem == null && !Double.isFinite(((Number) bound.getValue()).doubleValue())) {
                problem = "must be a finite number";
            }
            if (problem != null) {
                violations.add(new Violation(target.path() + "." + bound.getKey(), problem));
            }
        }
        if (!(log instanceof Boolean)) {
            violations.add(new Violation(target.path() + ".log", "must be true or false"));
        }
        if (violations.size() > before) {
            return null;
        }
        double low = ((Number) min).doubleValue();
        double high = ((Number) max).doubleValue();
        if (low > high) {
            violations.add(new Violation(target.path() + ".max", "must not be less than min (" + min + ")"));
            return null;
        }
        if ((Boolean) log && low <= 0) {
            violations.add(new Violation(target.path() + ".min", "must be greater than 0 for a log range"));
            return null;
        }
        boolean integral = target.setting() != null ? target.setting().integral : isWhole(min) && isWhole(max);
        if (integral && Math.ceil(low) > Math.floor(high)) {
            violations.add(new Violation(target.path(), "holds no whole number"));
            return null;
        }
        return new Parameter(target, null, low, high, (Boolean) log, integral);
    }

    /** The values, checked one by one; null when one is wrong. */
    private static List<Object> checkValues(Target target, String path, List<?> list, List<Violation> violations) {
        int before = violations.size();
        for (int i = 0; i < list.size(); i++) {
            String problem = target.check(list.get(i));
            if (problem != null) {
                violations.add(new Violation(path + "[" + i + "]", problem));
            }
        }
        return violations.size() > before ? null : List.copyOf(list);
    }

    /** An integer as JSON or YAML wrote it: {@code 16}, not {@code 16.0}. */
    private static boolean isWhole(Object value) {
        return value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof java.math.BigInteger;
    }

    private static Object nullToText(Object value) {
        return value == null ? "null" : value;
    }

    static long saturatedProduct(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
