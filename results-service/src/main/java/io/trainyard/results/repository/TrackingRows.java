package io.trainyard.results.repository;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** Rows the tracking queries answer, as the database computed them. */
public final class TrackingRows {

    private TrackingRows() {
    }

    /** Statistics of one final metric over an experiment's completed runs; {@code stddev} is null below 2 values. */
    public record MetricStatistics(String metric, long count, double mean, double min, double max, double p50,
            double p90, Double stddev) {
    }

    /** Run counts of an experiment by where the runs are. */
    public record RunCounts(long completed, long failed, long running) {
    }

    /** A run's final result with its metrics (by name, in name order). */
    public record Result(UUID runId, UUID experimentId, String partition, int attempt, int epochs,
            String modelLocation, Instant completedAt, Map<String, Double> metrics) {
    }

    /** Aggregate of one metric over the runs of one partition ({@code metric} null when its runs have none). */
    public record PartitionMetric(String partition, long runs, String metric, long count, double mean, double min,
            double max) {
    }

    /**
     * The run's spec as its newest run.started event carries it: JSON text of the model (kind and resolved
     * hyperparameters) and of the data slice; either is null when the event predates them.
     */
    public record Spec(String modelJson, String dataJson) {
    }

    /** One attempt at a run, from its run.started event. */
    public record Attempt(int attempt, String trainer, int startEpoch, Integer resumedFromEpoch, Instant startedAt) {
    }

    /** The losses of one epoch, from the newest attempt that trained it. */
    public record Epoch(int epoch, int attempt, double trainLoss, double validationLoss, double epochSeconds,
            Instant at) {
    }
}
