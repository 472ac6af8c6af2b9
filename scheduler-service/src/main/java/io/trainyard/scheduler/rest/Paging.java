package io.trainyard.scheduler.rest;

import io.quarkus.panache.common.Page;
import io.trainyard.scheduler.service.InvalidRequestException;
import io.trainyard.scheduler.service.Violation;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code page} and {@code size} query parameters, read by hand: a value that is no number is then a 400 naming
 * the parameter, like one out of range, rather than the 404 JAX-RS gives a parameter it cannot convert.
 */
record Paging(int page, int size) {

    static Paging of(String page, String size, int defaultSize, int maxSize) {
        List<Violation> violations = new ArrayList<>();
        int p = parse("page", page, 0, 0, Integer.MAX_VALUE, violations);
        int s = parse("size", size, defaultSize, 1, maxSize, violations);
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(violations);
        }
        return new Paging(p, s);
    }

    Page toPage() {
        return Page.of(page, size);
    }

    private static int parse(String name, String value, int absent, int min, int max, List<Violation> violations) {
        if (value == null || value.isEmpty()) {
            return absent;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        violations.add(new Violation(name, "'" + value + "' is not a whole number between " + min + " and "
                + (max == Integer.MAX_VALUE ? "2147483647" : max)));
        return absent;
    }
}
