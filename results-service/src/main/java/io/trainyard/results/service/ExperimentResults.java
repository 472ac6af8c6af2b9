package io.trainyard.results.service;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Everything known about an experiment's outcome: each completed run's final metrics, their aggregate, and the
 * runs that failed. The JSON body of {@code GET /experiments/{id}/results}.
 */
public record ExperimentResults(UUID experimentId, List<RunResult> runs, Aggregate aggregate, List<FailedRun> failed) {

    /** A run's final result. */
    public record RunResult(UUID runId, String partition, Map<String, Double> metrics, int attempt,
            String modelLocation, Instant completedAt) {
    }

    /**
     * Aggregate over the completed runs.
     *
     * @param count   completed runs
     * @param metrics per metric name; non-finite values are left out, so a metric's count can be below {@code count}
     */
    public record Aggregate(long count, Map<String, MetricSummary> metrics) {
    }

    /** Mean, min and max of one metric over {@code count} runs. */
    public record MetricSummary(double mean, double min, double max, long count) {
    }

    /** A run that failed, and why. */
    public record FailedRun(UUID runId, String reason) {
    }
}
