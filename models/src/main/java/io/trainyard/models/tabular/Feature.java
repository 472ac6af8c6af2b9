package io.trainyard.models.tabular;

import io.trainyard.models.InvalidInputException;
import io.trainyard.models.ModelJson;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How one input column becomes model inputs: a number is standardised with the training rows' mean and deviation
 * (one input); a category is one-hot encoded over the categories seen in the training rows (one input each; a
 * category never seen encodes as all zeros).
 */
sealed interface Feature {

    String NUMBER = "number";
    String CATEGORY = "category";

    String name();

    /** How many model inputs it takes. */
    int width();

    /** Writes the encoding of {@code value} (text, as in the CSV) at {@code offset}. */
    void encode(String value, float[] into, int offset);

    /** What model.json records to rebuild it. */
    Map<String, Object> describe();

    /** A value of a prediction row (a JSON number or string) as the CSV text it stands for. */
    String text(Object value, String field);

    record Numeric(String name, double mean, double std) implements Feature {
        @Override
        public int width() {
            return 1;
        }

        @Override
        public void encode(String value, float[] into, int offset) {
            into[offset] = (float) ((Double.parseDouble(value) - mean) / std);
        }

        @Override
        public Map<String, Object> describe() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", name);
            d.put("type", NUMBER);
            d.put("mean", mean);
            d.put("std", std);
            return d;
        }

        @Override
        public String text(Object value, String field) {
            if (value instanceof Number n && Double.isFinite(n.doubleValue())) {
                return Double.toString(n.doubleValue());
            }
            if (value instanceof String s && Table.isNumber(s.strip())) {
                return s.strip();
            }
            throw new InvalidInputException(field, field + " must be a number (feature '" + name
                    + "' is numeric); was " + (value instanceof String ? "'" + value + "'" : value));
        }
    }

    record Categorical(String name, List<String> categories) implements Feature {
        @Override
        public int width() {
            return categories.size();
        }

        @Override
        public void encode(String value, float[] into, int offset) {
            int index = categories.indexOf(value);
            for (int i = 0; i < categories.size(); i++) {
                into[offset + i] = i == index ? 1f : 0f;
            }
        }

        @Override
        public Map<String, Object> describe() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", name);
            d.put("type", CATEGORY);
            d.put("categories", categories);
            return d;
        }

        @Override
        public String text(Object value, String field) {
            if (value instanceof String s) {
                return s.strip();
            }
            if (value instanceof Number n) {
                // the CSV's "3" arrives as the JSON number 3 (or 3.0): either names the category "3"
                double d = n.doubleValue();
                return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : n.toString();
            }
            if (value instanceof Boolean b) {
                return b.toString();
            }
            throw new InvalidInputException(field, field + " must be a string or a number (feature '" + name
                    + "' is a category: one of " + String.join(", ", categories) + "); was " + value);
        }
    }

    /** Rebuilds a feature from its {@link #describe()}. */
    static Feature of(Map<String, Object> d) {
        String name = ModelJson.string(d, "name");
        return switch (ModelJson.string(d, "type")) {
            case NUMBER -> new Numeric(name, ModelJson.number(d, "mean"), ModelJson.number(d, "std"));
            case CATEGORY -> new Categorical(name, ModelJson.strings(d, "categories"));
            default -> throw new IllegalStateException("model.json: feature '" + name + "' has an unknown type");
        };
    }
}
