package io.trainyard.results.service;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.trainyard.results.RunResultEntity;
import io.trainyard.results.repository.MetricAggregateRow;
import io.trainyard.results.repository.RunResultRepository;
import io.trainyard.results.repository.RunStatusRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** Reads an experiment's results. */
@ApplicationScoped
public class ResultsService {

    private final RunResultRepository results;
    private final RunStatusRepository statuses;

    public ResultsService(RunResultRepository results, RunStatusRepository statuses) {
        this.results = results;
        this.statuses = statuses;
    }

    /**
     * The experiment's results; an experiment the service has not heard of has none yet (results arrive
     * asynchronously, so "unknown" and "nothing finished yet" look the same here).
     */
    @WithSession
    public Uni<ExperimentResults> results(UUID experimentId) {
        return results.listByExperiment(experimentId).flatMap(runs -> results.aggregates(experimentId)
                .flatMap(aggregates -> statuses.failedByExperiment(experimentId)
                        .map(failed -> new ExperimentResults(experimentId,
                                runs.stream().map(ResultsService::view).toList(),
                                new ExperimentResults.Aggregate(runs.size(), summaries(aggregates)),
                                failed.stream()
                                        .map(s -> new ExperimentResults.FailedRun(s.runId, s.reason))
                                        .toList()))));
    }

    private static ExperimentResults.RunResult view(RunResultEntity r) {
        return new ExperimentResults.RunResult(r.runId, r.partitionValue, new TreeMap<>(r.metrics), r.attempt,
                r.modelLocation, r.completedAt);
    }

    private static Map<String, ExperimentResults.MetricSummary> summaries(List<MetricAggregateRow> rows) {
        Map<String, ExperimentResults.MetricSummary> summaries = new LinkedHashMap<>();
        for (MetricAggregateRow row : rows) {
            summaries.put(row.metric(),
                    new ExperimentResults.MetricSummary(row.mean(), row.min(), row.max(), row.count()));
        }
        return summaries;
    }
}
