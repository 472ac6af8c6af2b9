package io.trainyard.models;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Typed reading of a stored {@code model.json} (what {@link PreparedRun#describe()} wrote, read back as JSON
 * maps, lists and numbers). A missing or mistyped value means the file is not what this build writes: an
 * {@link IllegalStateException} naming the key.
 */
public final class ModelJson {

    private ModelJson() {
    }

    /** The {@code model} section of {@code model.json}: what the kind described. */
    public static Map<String, Object> section(Map<String, Object> metadata) {
        return map(metadata, "model");
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Map<String, Object> json, String key) {
        if (json.get(key) instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw missing(key, "an object");
    }

    public static double number(Map<String, Object> json, String key) {
        if (json.get(key) instanceof Number n) {
            return n.doubleValue();
        }
        throw missing(key, "a number");
    }

    public static String string(Map<String, Object> json, String key) {
        if (json.get(key) instanceof String s) {
            return s;
        }
        throw missing(key, "a string");
    }

    public static List<Integer> integers(Map<String, Object> json, String key) {
        List<Integer> result = new ArrayList<>();
        for (Object item : list(json, key)) {
            if (!(item instanceof Number n)) {
                throw missing(key, "a list of integers");
            }
            result.add(n.intValue());
        }
        return result;
    }

    public static List<String> strings(Map<String, Object> json, String key) {
        List<String> result = new ArrayList<>();
        for (Object item : list(json, key)) {
            if (!(item instanceof String s)) {
                throw missing(key, "a list of strings");
            }
            result.add(s);
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> objects(Map<String, Object> json, String key) {
        List<Map<String, Object>> result = new ArrayList<>();
        for (Object item : list(json, key)) {
            if (!(item instanceof Map<?, ?> map)) {
                throw missing(key, "a list of objects");
            }
            result.add((Map<String, Object>) map);
        }
        return result;
    }

    private static List<?> list(Map<String, Object> json, String key) {
        if (json.get(key) instanceof List<?> list) {
            return list;
        }
        throw missing(key, "a list");
    }

    private static IllegalStateException missing(String key, String expected) {
        return new IllegalStateException("model.json: '" + key + "' should be " + expected
                + "; the model was not written by a build this one can read");
    }
}
