package io.trainyard.results.repository;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The aggregates of the recently active experiments (table {@code experiment_activity}, written with each batch
 * of events by {@link EventBatchRepository}) for the Prometheus gauges.
 */
@ApplicationScoped
public class ExperimentActivityRepository {

    private static final String RECENT = """
            select experiment_id from experiment_activity
            where last_event_at > :since
            order by last_event_at desc
            limit :limit
            """;

    private static final String COUNTS = """
            with recent as (%s)
            select recent.experiment_id,
                   (select count(*) from run_result r where r.experiment_id = recent.experiment_id),
                   (select count(*) from run_status s where s.experiment_id = recent.experiment_id
                                                        and s.status = 'FAILED')
            from recent
            """.formatted(RECENT);

    private static final String AGGREGATES = """
            with recent as (%s)
            select m.experiment_id, m.name, avg(m.value), min(m.value), max(m.value), count(*)
            from run_metric m join recent on recent.experiment_id = m.experiment_id
            where %s
            group by m.experiment_id, m.name
            """.formatted(RECENT, NativeSql.finite("m.value"));

    /** Completed and failed run counts of the experiments active since {@code since}, at most {@code limit}. */
    public Uni<List<ExperimentCountsRow>> recentCounts(Instant since, int limit) {
        return NativeSql.rows(COUNTS, Map.of("since", NativeSql.utc(since), "limit", limit))
                .map(rows -> rows.stream()
                        .map(row -> new ExperimentCountsRow((UUID) row[0], ((Number) row[1]).longValue(),
                                ((Number) row[2]).longValue()))
                        .toList());
    }

    /** Metric aggregates of the experiments active since {@code since}, at most {@code limit} experiments. */
    public Uni<List<MetricAggregateRow>> recentAggregates(Instant since, int limit) {
        return NativeSql.rows(AGGREGATES, Map.of("since", NativeSql.utc(since), "limit", limit))
                .map(rows -> rows.stream().map(RunResultRepository::aggregateRow).toList());
    }
}
