package io.trainyard.results.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.trainyard.contracts.DataSpec;
import io.trainyard.contracts.ModelSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The JSON bodies of the tracking API. */
public final class Tracking {

    private Tracking() {
    }

    /**
     * How an experiment is doing: run counts and statistics of each final metric over its completed runs.
     *
     * @param metrics by metric name; non-finite values are left out, so a metric's count can be below completed
     */
    public record ExperimentSummary(UUID experimentId, long completed, long failed, long running,
            Map<String, MetricStatistics> metrics) {
    }

    /**
     * Statistics of one final metric: percentiles interpolate linearly between the ordered values
     * ({@code percentile_cont}); stddev is the sample standard deviation, null with fewer than two values.
     */
    public record MetricStatistics(long count, double mean, double min, double max, double p50, double p90,
            Double stddev) {
    }

    /** One page of a long list; {@code page} counts from 0, {@code total} is the size of the whole list. */
    public record Page<T>(int page, int size, long total, List<T> items) {
    }

    /** The best completed run by one metric. */
    public record BestRun(String metric, String direction, double value, ExperimentResults.RunResult run) {
    }

    /** One partition (e.g. a city) of an experiment: its completed runs and their metrics. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record PartitionResults(String partition, long runs, Map<String, MetricSummary> metrics) {
    }

    /** Mean, min and max of one metric over a partition's runs (the run's value when there is one run). */
    public record MetricSummary(long count, double mean, double min, double max) {
    }

    /**
     * Chosen runs side by side.
     *
     * @param runs    the requested runs that have a result, in the requested order
     * @param metrics per metric name, the value of each run in {@code runs} (null where a run lacks the metric)
     * @param missing requested runs of this experiment without a result (unknown, running or failed)
     */
    public record Comparison(UUID experimentId, List<ExperimentResults.RunResult> runs,
            Map<String, List<Double>> metrics, List<UUID> missing) {
    }

    /**
     * Everything known about one run.
     *
     * @param status          RUNNING, SUCCEEDED or FAILED, as the newest event says (null before any status event)
     * @param model           model kind and resolved hyperparameters, from the newest run.started (null if none
     *                        carried them)
     * @param data            dataset, partition and columns, from the newest run.started (null likewise)
     * @param epochsDone      epochs done as last reported
     * @param durationSeconds from the first start to the result or the failure; null while running
     * @param trainingSeconds sum of the epoch times on the curve
     */
    public record RunDetail(UUID runId, UUID experimentId, String status, String reason, String partition,
            ModelSpec model, DataSpec data, Integer epochs, Integer epochsDone, List<Attempt> attempts, List<EpochMetrics> epochMetrics,
            FinalResult result, Instant startedAt, Instant finishedAt, Double durationSeconds,
            double trainingSeconds) {
    }

    /** One attempt at a run: who trained it and from which epoch ({@code resumedFromEpoch} null from the seed). */
    public record Attempt(int attempt, String trainer, int startEpoch, Integer resumedFromEpoch, Instant startedAt) {
    }

    /** Losses after one epoch, from the newest attempt that trained it. */
    public record EpochMetrics(int epoch, int attempt, double trainLoss, double validationLoss,
            double epochSeconds, Instant at) {
    }

    /** A run's final result. */
    public record FinalResult(Map<String, Double> metrics, int attempt, int epochs, String modelLocation,
            Instant completedAt) {
    }
}
