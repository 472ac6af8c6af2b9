package io.trainyard.results.repository;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import io.trainyard.contracts.RunCompleted;
import io.trainyard.results.RunResultEntity;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Final results of runs (tables {@code run_result} and {@code run_metric}) and their aggregates. */
@ApplicationScoped
public class RunResultRepository implements PanacheRepositoryBase<RunResultEntity, UUID> {

    private static final String INSERT_RESULT = """
            insert into run_result (run_id, experiment_id, partition_value, attempt, epochs, model_location,
                                    completed_at)
            values (:runId, :experimentId, :partition, :attempt, :epochs, :modelLocation, :completedAt)
            on conflict (run_id) do nothing
            """;

    private static final String AGGREGATES = """
            select experiment_id, name, avg(value), min(value), max(value), count(*)
            from run_metric
            where experiment_id = :experimentId and %s
            group by experiment_id, name
            order by name
            """.formatted(NativeSql.finite("value"));

    /**
     * Records the run's result and metrics unless the run already has one.
     *
     * @return true when this completion is the run's first
     */
    public Uni<Boolean> insertIfAbsent(RunCompleted completed) {
        Map<String, Object> p = new HashMap<>();
        p.put("runId", completed.run().runId());
        p.put("experimentId", completed.run().experimentId());
        p.put("partition", completed.partition());
        p.put("attempt", completed.run().attempt());
        p.put("epochs", completed.epochs());
        p.put("modelLocation", completed.modelLocation());
        p.put("completedAt", NativeSql.utc(completed.run().at()));
        return NativeSql.update(INSERT_RESULT, p).flatMap(rows -> rows == 0
                ? Uni.createFrom().item(false)
                : insertMetrics(completed).replaceWith(true));
    }

    /** One statement for all metrics of a run: they are written only together with its new result row. */
    private Uni<Void> insertMetrics(RunCompleted completed) {
        if (completed.metrics().isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        StringBuilder sql = new StringBuilder("insert into run_metric (run_id, experiment_id, name, value) values ");
        Map<String, Object> p = new HashMap<>();
        p.put("runId", completed.run().runId());
        p.put("experimentId", completed.run().experimentId());
        List<String> tuples = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, Double> metric : completed.metrics().entrySet()) {
            tuples.add("(:runId, :experimentId, :name" + i + ", :value" + i + ")");
            p.put("name" + i, metric.getKey());
            p.put("value" + i, metric.getValue());
            i++;
        }
        sql.append(String.join(", ", tuples));
        return NativeSql.update(sql.toString(), p).replaceWithVoid();
    }

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
