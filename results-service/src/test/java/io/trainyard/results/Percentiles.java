package io.trainyard.results;

import java.util.Arrays;

/** Reference statistics, computed the way PostgreSQL defines them, to check the service's answers against. */
final class Percentiles {

    private Percentiles() {
    }

    /** {@code percentile_cont(p)}: linear interpolation between the values at ranks floor and ceil of p·(n−1). */
    static double continuous(double[] values, double p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double position = p * (sorted.length - 1);
        int lower = (int) Math.floor(position);
        int upper = (int) Math.ceil(position);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }

    /** {@code stddev_samp}: the sample standard deviation (n−1 in the denominator). */
    static double sampleStandardDeviation(double[] values) {
        double mean = Arrays.stream(values).average().orElseThrow();
        double squares = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum();
        return Math.sqrt(squares / (values.length - 1));
    }
}
