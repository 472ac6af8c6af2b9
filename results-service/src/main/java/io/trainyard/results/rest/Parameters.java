package io.trainyard.results.rest;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Parses request parameters into values or a 400 that names the field and what would be accepted. Parameters
 * arrive as strings because a typed JAX-RS parameter would turn a malformed value into a bare 404.
 */
final class Parameters {

    /** Largest page of results or partitions one request may ask for. */
    static final int MAX_PAGE_SIZE = 1000;
    /** Most runs one comparison may name. */
    static final int MAX_COMPARED_RUNS = 100;

    private Parameters() {
    }

    static UUID uuid(String field, String what, String value) {
        try {
            UUID uuid = UUID.fromString(value);
            if (uuid.toString().equalsIgnoreCase(value)) {
                return uuid;
            }
        } catch (IllegalArgumentException e) {
            // answered below
        }
        throw new InvalidParameterException(field,
                what + " '" + value + "' is not a UUID; expected the form 3f2c1a9e-8d4b-4c7a-9e1f-0b2d3c4e5f60");
    }

    static int page(String value) {
        Integer page = integer(value);
        if (page == null || page < 0) {
            throw new InvalidParameterException("page",
                    "page '" + value + "' is not a page number; expected an integer from 0 (the first page)");
        }
        return page;
    }

    static int size(String value) {
        Integer size = integer(value);
        if (size == null || size < 1 || size > MAX_PAGE_SIZE) {
            throw new InvalidParameterException("size",
                    "size '" + value + "' is not a page size; expected an integer from 1 to " + MAX_PAGE_SIZE);
        }
        return size;
    }

    static String metric(String value) {
        if (value == null || value.isBlank() || value.length() > 100) {
            throw new InvalidParameterException("metric",
                    "metric '" + value + "' is not a metric name; expected a name such as mae, rmse or mape");
        }
        return value;
    }

    /** True for minimize, false for maximize. */
    static boolean minimize(String value) {
        return switch (value == null ? "" : value.toLowerCase()) {
            case "minimize" -> true;
            case "maximize" -> false;
            default -> throw new InvalidParameterException("direction",
                    "direction '" + value + "' is not a direction; expected minimize or maximize");
        };
    }

    /** A comma-separated list of distinct run ids, in the order given. */
    static List<UUID> runIds(String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidParameterException("runs",
                    "runs is missing; expected comma-separated run ids, e.g. runs=<uuid>,<uuid>");
        }
        Set<UUID> ids = new LinkedHashSet<>();
        for (String part : value.split(",")) {
            ids.add(uuid("runs", "run id", part.trim()));
        }
        if (ids.size() > MAX_COMPARED_RUNS) {
            throw new InvalidParameterException("runs",
                    ids.size() + " runs named; expected at most " + MAX_COMPARED_RUNS + " distinct run ids");
        }
        return new ArrayList<>(ids);
    }

    private static Integer integer(String value) {
        try {
            return Integer.valueOf(value.trim());
        } catch (NumberFormatException | NullPointerException e) {
            return null;
        }
    }
}
