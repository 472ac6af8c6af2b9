package io.trainyard.results.service;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.trainyard.contracts.DataSpec;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.ModelSpec;
import io.smallrye.mutiny.Uni;
import io.trainyard.results.RunState;
import io.trainyard.results.RunStatusEntity;
import io.trainyard.results.repository.RunStatusRepository;
import io.trainyard.results.repository.TrackingRepository;
import io.trainyard.results.repository.TrackingRows;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Reads what the tracking API shows: experiment statistics, pages of results, comparisons and run detail. */
@ApplicationScoped
public class TrackingService {

    private final TrackingRepository tracking;
    private final RunStatusRepository statuses;

    public TrackingService(TrackingRepository tracking, RunStatusRepository statuses) {
        this.tracking = tracking;
        this.statuses = statuses;
    }

    /** Run counts and statistics of each final metric. */
    @WithSession
    public Uni<Tracking.ExperimentSummary> summary(UUID experimentId) {
        return tracking.counts(experimentId).flatMap(counts -> tracking.statistics(experimentId)
                .map(rows -> {
                    Map<String, Tracking.MetricStatistics> metrics = new LinkedHashMap<>();
                    rows.forEach(r -> metrics.put(r.metric(), new Tracking.MetricStatistics(r.count(), r.mean(),
                            r.min(), r.max(), r.p50(), r.p90(), r.stddev())));
                    return new Tracking.ExperimentSummary(experimentId, counts.completed(), counts.failed(),
                            counts.running(), metrics);
                }));
    }

    /** The best run by the metric, or null when no completed run has a finite value of it. */
    @WithSession
    public Uni<Tracking.BestRun> best(UUID experimentId, String metric, boolean minimize) {
        return tracking.best(experimentId, metric, minimize).flatMap(runId -> runId == null
                ? Uni.createFrom().nullItem()
                : tracking.result(runId).map(result -> new Tracking.BestRun(metric,
                        minimize ? "minimize" : "maximize", result.metrics().get(metric), view(result))));
    }

    /** One page of completed runs, by partition then run id. */
    @WithSession
    public Uni<Tracking.Page<ExperimentResults.RunResult>> results(UUID experimentId, int page, int size) {
        return tracking.resultCount(experimentId).flatMap(total -> tracking
                .resultPage(experimentId, page * size, size)
                .map(rows -> new Tracking.Page<>(page, size, total,
                        rows.stream().map(TrackingService::view).toList())));
    }

    /** Every completed run, for the CSV export. */
    @WithSession
    public Uni<List<ExperimentResults.RunResult>> allResults(UUID experimentId) {
        return tracking.allResults(experimentId).map(rows -> rows.stream().map(TrackingService::view).toList());
    }

    /** One page of the per-partition table, by partition (runs without a partition last). */
    @WithSession
    public Uni<Tracking.Page<Tracking.PartitionResults>> partitions(UUID experimentId, int page, int size) {
        return tracking.partitionCount(experimentId).flatMap(total -> tracking
                .partitionPage(experimentId, page * size, size)
                .map(rows -> new Tracking.Page<>(page, size, total, partitionTable(rows))));
    }

    private static List<Tracking.PartitionResults> partitionTable(List<TrackingRows.PartitionMetric> rows) {
        List<Tracking.PartitionResults> table = new ArrayList<>();
        Tracking.PartitionResults current = null;
        for (TrackingRows.PartitionMetric row : rows) {
            if (current == null || !Objects.equals(current.partition(), row.partition())) {
                current = new Tracking.PartitionResults(row.partition(), row.runs(), new LinkedHashMap<>());
                table.add(current);
            }
            if (row.metric() != null) {
                current.metrics().put(row.metric(),
                        new Tracking.MetricSummary(row.count(), row.mean(), row.min(), row.max()));
            }
        }
        return table;
    }

    /** The chosen runs side by side, in the order asked for. */
    @WithSession
    public Uni<Tracking.Comparison> compare(UUID experimentId, List<UUID> runIds) {
        return tracking.results(experimentId, runIds).map(rows -> {
            Map<UUID, TrackingRows.Result> byId = rows.stream()
                    .collect(Collectors.toMap(TrackingRows.Result::runId, Function.identity()));
            List<ExperimentResults.RunResult> runs = new ArrayList<>();
            List<UUID> missing = new ArrayList<>();
            for (UUID runId : runIds) {
                TrackingRows.Result result = byId.get(runId);
                if (result == null) {
                    missing.add(runId);
                } else {
                    runs.add(view(result));
                }
            }
            Map<String, List<Double>> metrics = new LinkedHashMap<>();
            new TreeSet<>(rows.stream().flatMap(r -> r.metrics().keySet().stream()).toList())
                    .forEach(name -> metrics.put(name, runs.stream().map(r -> r.metrics().get(name)).toList()));
            return new Tracking.Comparison(experimentId, runs, metrics, missing);
        });
    }

    /** Everything known about the run, or null when the service has no event of it. */
    @WithSession
    public Uni<Tracking.RunDetail> run(UUID runId) {
        // the result before the status: a run's result and its SUCCEEDED status commit together, so a status read
        // after the result is never older than it (read the other way round, a commit between the two reads would
        // show a result next to RUNNING)
        return tracking.result(runId).flatMap(result -> statuses.findById(runId)
                .flatMap(status -> tracking.attempts(runId)
                        .flatMap(attempts -> tracking.curve(runId)
                                .flatMap(curve -> tracking.spec(runId)
                                        .map(spec -> detail(runId, status, result, attempts, curve, spec))))));
    }

    private static Tracking.RunDetail detail(UUID runId, RunStatusEntity status, TrackingRows.Result result,
            List<TrackingRows.Attempt> attempts, List<TrackingRows.Epoch> curve, TrackingRows.Spec spec) {
        if (status == null && result == null && attempts.isEmpty() && curve.isEmpty()) {
            return null;
        }
        UUID experimentId = status != null ? status.experimentId : result != null ? result.experimentId() : null;
        Instant startedAt = attempts.stream().map(TrackingRows.Attempt::startedAt).min(Instant::compareTo)
                .orElse(null);
        Instant finishedAt = result != null ? result.completedAt()
                : status != null && status.status == RunState.FAILED ? status.updatedAt : null;
        Double duration = startedAt == null || finishedAt == null ? null
                : Duration.between(startedAt, finishedAt).toNanos() / 1e9;
        String partition = status != null && status.partitionValue != null ? status.partitionValue
                : result != null ? result.partition() : null;
        return new Tracking.RunDetail(runId, experimentId, status == null ? null : status.status.name(),
                status == null ? null : status.reason, partition,
                spec == null ? null : json(spec.modelJson(), ModelSpec.class),
                spec == null ? null : json(spec.dataJson(), DataSpec.class),
                status != null && status.epochs != null ? status.epochs : result == null ? null : result.epochs(),
                status == null ? null : status.epoch,
                attempts.stream().map(a -> new Tracking.Attempt(a.attempt(), a.trainer(), a.startEpoch(),
                        a.resumedFromEpoch(), a.startedAt())).toList(),
                curve.stream().map(e -> new Tracking.EpochMetrics(e.epoch(), e.attempt(), e.trainLoss(),
                        e.validationLoss(), e.epochSeconds(), e.at())).toList(),
                result == null ? null : new Tracking.FinalResult(result.metrics(), result.attempt(), result.epochs(),
                        result.modelLocation(), result.completedAt()),
                startedAt, finishedAt, duration,
                curve.stream().mapToDouble(TrackingRows.Epoch::epochSeconds).sum());
    }

    /**
     * A part of a stored event read back as the message record; null when absent or unreadable (a stored event
     * this build cannot read should not hide the rest of the run's detail).
     */
    private static <T> T json(String text, Class<T> type) {
        if (text == null || text.equals("null")) {
            return null;
        }
        try {
            return Messages.mapper().readValue(text, type);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static ExperimentResults.RunResult view(TrackingRows.Result r) {
        return new ExperimentResults.RunResult(r.runId(), r.partition(), r.metrics(), r.attempt(),
                r.modelLocation(), r.completedAt());
    }
}
