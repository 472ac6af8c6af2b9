package io.trainyard.results.repository;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import io.trainyard.results.RunResultEntity;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Final results of runs (tables {@code run_result} and {@code run_metric}) and their aggregates. */
@ApplicationScoped
public class RunResultRepository implements PanacheRepositoryBase<RunResultEntity, UUID> {

    private static final String AGGREGATES = """
            select experiment_id, name, avg(value), min(value), max(value), count(*)
            from run_metric
            where experiment_id = :experimentId and %s
            group by experiment_id, name
            order by name
            """.formatted(NativeSql.finite("value"));

    /** The experiment's results with their metrics, by partition then run id. */
    public Uni<List<RunResultEntity>> listByExperiment(UUID experimentId) {
        return find("select distinct r from RunResultEntity r left join fetch r.metrics"
                + " where r.experimentId = ?1 order by r.partitionValue nulls last, r.runId", experimentId).list();
    }

    /** Mean, min, max and count of each final metric over the experiment's results, computed by the database. */
    public Uni<List<MetricAggregateRow>> aggregates(UUID experimentId) {
        return NativeSql.rows(AGGREGATES, Map.of("experimentId", experimentId))
                .map(rows -> rows.stream().map(RunResultRepository::aggregateRow).toList());
    }

    static MetricAggregateRow aggregateRow(Object[] row) {
        return new MetricAggregateRow((UUID) row[0], (String) row[1], ((Number) row[2]).doubleValue(),
                ((Number) row[3]).doubleValue(), ((Number) row[4]).doubleValue(), ((Number) row[5]).longValue());
    }
}
