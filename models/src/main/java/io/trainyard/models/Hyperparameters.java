package io.trainyard.models;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Typed, checked access to a run's hyperparameters; every error names the key and what would be accepted. */
public final class Hyperparameters {

    private final String kind;
    private final Map<String, Object> values;

    public Hyperparameters(String kind, Map<String, Object> values) {
        this.kind = kind;
        this.values = values;
    }

    public int integer(String key, int defaultValue, int min, int max) {
        Object value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw invalid(key, value, "an integer from " + min + " to " + max);
        }
        int v = n.intValue();
        if (v < min || v > max) {
            throw invalid(key, value, "an integer from " + min + " to " + max);
        }
        return v;
    }

    public double number(String key, double defaultValue, double min, double max) {
        Object value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (!(value instanceof Number n) || Double.isNaN(n.doubleValue()) || n.doubleValue() < min
                || n.doubleValue() > max) {
            throw invalid(key, value, "a number from " + min + " to " + max);
        }
        return n.doubleValue();
    }

    public List<Integer> integers(String key, List<Integer> defaultValue, int minSize, int maxSize, int min, int max) {
        Object value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        String accepted = "a list of " + minSize + " to " + maxSize + " integers from " + min + " to " + max;
        if (!(value instanceof List<?> list) || list.size() < minSize || list.size() > maxSize) {
            throw invalid(key, value, accepted);
        }
        List<Integer> result = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.intValue() < min
                    || n.intValue() > max) {
                throw invalid(key, value, accepted);
            }
            result.add(n.intValue());
        }
        return List.copyOf(result);
    }

    /** A non-blank string, or empty when the key is absent. */
    public Optional<String> string(String key) {
        Object value = values.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof String text) || text.isBlank()) {
            throw invalid(key, value, "a non-blank string");
        }
        return Optional.of(text.strip());
    }

    /** One of {@code allowed}, or {@code defaultValue} when the key is absent. */
    public String choice(String key, String defaultValue, List<String> allowed) {
        Object value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (!(value instanceof String text) || !allowed.contains(text.strip())) {
            throw invalid(key, value, "one of " + String.join(", ", allowed));
        }
        return text.strip();
    }

    /**
     * Names given as a list of strings or as one comma-separated string; empty when the key is absent. Blank and
     * repeated names are refused.
     */
    public Optional<List<String>> names(String key, int maxSize) {
        Object value = values.get(key);
        if (value == null) {
            return Optional.empty();
        }
        String accepted = "a list of 1 to " + maxSize + " distinct names (or one comma-separated string)";
        List<?> items = value instanceof String text ? List.of(text.split(",", -1))
                : value instanceof List<?> list ? list : null;
        if (items == null || items.isEmpty() || items.size() > maxSize) {
            throw invalid(key, value, accepted);
        }
        List<String> result = new ArrayList<>();
        for (Object item : items) {
            if (!(item instanceof String name) || name.isBlank() || result.contains(name.strip())) {
                throw invalid(key, value, accepted);
            }
            result.add(name.strip());
        }
        return Optional.of(List.copyOf(result));
    }

    /** Fails on keys the model kind does not know, listing the ones it does. */
    public void allowOnly(List<String> known) {
        for (String key : values.keySet()) {
            if (!known.contains(key)) {
                throw new InvalidRunException("hyperparameter '" + key + "' is not known to model kind '" + kind
                        + "' (known: " + String.join(", ", known) + ")");
            }
        }
    }

    private InvalidRunException invalid(String key, Object value, String accepted) {
        return new InvalidRunException("hyperparameter '" + key + "' of model kind '" + kind + "' is " + value
                + "; expected " + accepted);
    }
}
