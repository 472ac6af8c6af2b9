package io.trainyard.results.repository;

import io.smallrye.mutiny.Uni;
import io.trainyard.results.repository.TrackingRows.Attempt;
import io.trainyard.results.repository.TrackingRows.Epoch;
import io.trainyard.results.repository.TrackingRows.MetricStatistics;
import io.trainyard.results.repository.TrackingRows.PartitionMetric;
import io.trainyard.results.repository.TrackingRows.Result;
import io.trainyard.results.repository.TrackingRows.RunCounts;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The read side of the tracking API: statistics, pages and per-run detail, each one SQL statement served by the
 * indexes of {@code V2__tracking_indexes.sql}. Non-finite metric values are left out of every statistic.
 * Callers run inside {@code @WithSession}.
 */
@ApplicationScoped
public class TrackingRepository {

    private static final String STATISTICS = """
            select name, count(*), avg(value), min(value), max(value),
                   percentile_cont(0.5) within group (order by value),
                   percentile_cont(0.9) within group (order by value),
                   stddev_samp(value)
            from run_metric
            where experiment_id = :experimentId and %s
            group by name
            order by name
            """.formatted(NativeSql.finite("value"));

    private static final String COUNTS = """
            select (select count(*) from run_result where experiment_id = :experimentId),
                   (select count(*) from run_status where experiment_id = :experimentId and status = 'FAILED'),
                   (select count(*) from run_status where experiment_id = :experimentId and status = 'RUNNING')
            """;

    // ties go to the smaller run id, so the answer does not change from one call to the next
    private static final String BEST = """
            select run_id from run_metric
            where experiment_id = :experimentId and name = :metric and %s
            order by value %s, run_id
            limit 1
            """;

    /* Results with their metrics, one row per metric; %s selects the results (a page, a set of runs, all). */
    private static final String RESULTS = """
            with selected as (%s)
            select s.run_id, s.experiment_id, s.partition_value, s.attempt, s.epochs, s.model_location,
                   s.completed_at, m.name, m.value
            from selected s left join run_metric m on m.run_id = s.run_id
            order by s.partition_value nulls last, s.run_id, m.name
            """;

    private static final String RESULT_COLUMNS =
            "select run_id, experiment_id, partition_value, attempt, epochs, model_location, completed_at"
                    + " from run_result";

    private static final String RESULT_PAGE = RESULTS.formatted(RESULT_COLUMNS + """
             where experiment_id = :experimentId
            order by partition_value nulls last, run_id
            limit :limit offset :offset""");

    private static final String ALL_RESULTS = RESULTS.formatted(RESULT_COLUMNS
            + " where experiment_id = :experimentId");

    private static final String CHOSEN_RESULTS = RESULTS.formatted(RESULT_COLUMNS
            + " where experiment_id = :experimentId and run_id in (:runIds)");

    private static final String ONE_RESULT = RESULTS.formatted(RESULT_COLUMNS + " where run_id = :runId");

    private static final String PARTITION_COUNT = """
            select count(*) from (select distinct partition_value from run_result where experiment_id = :experimentId) p
            """;

    private static final String PARTITION_PAGE = """
            with partitions as (
                select partition_value, count(*) as runs from run_result
                where experiment_id = :experimentId
                group by partition_value
                order by partition_value nulls last
                limit :limit offset :offset)
            select p.partition_value, p.runs, m.name, count(m.value), avg(m.value), min(m.value), max(m.value)
            from partitions p
            join run_result r on r.experiment_id = :experimentId
                             and r.partition_value is not distinct from p.partition_value
            left join run_metric m on m.run_id = r.run_id and %s
            group by p.partition_value, p.runs, m.name
            order by p.partition_value nulls last, m.name
            """.formatted(NativeSql.finite("m.value"));

    /*
     * Early builds stored the payload as a JSON string holding the message; jsonb_build_array(payload) ->> 0 is
     * the message's text in both forms, so these rows still answer.
     */
    private static final String ATTEMPTS = """
            select attempt, trainer, epoch,
                   cast(cast(jsonb_build_array(payload) ->> 0 as jsonb) ->> 'resumedFromEpoch' as integer),
                   occurred_at
            from run_event
            where run_id = :runId and kind = 'run.started'
            order by attempt, epoch
            """;

    private static final String SPEC = """
            select cast(cast(jsonb_build_array(payload) ->> 0 as jsonb) -> 'model' as text),
                   cast(cast(jsonb_build_array(payload) ->> 0 as jsonb) -> 'data' as text)
            from run_event
            where run_id = :runId and kind = 'run.started'
            order by attempt desc, sequence desc
            limit 1
            """;

    // a resumed attempt trains some epochs again: the curve takes the newest attempt's numbers per epoch
    private static final String CURVE = """
            select distinct on (epoch) epoch, attempt, train_loss, validation_loss, epoch_seconds, occurred_at
            from run_progress
            where run_id = :runId
            order by epoch, attempt desc
            """;

    /** Count, mean, min, max, p50, p90 and sample standard deviation of each final metric, by metric name. */
    public Uni<List<MetricStatistics>> statistics(UUID experimentId) {
        return NativeSql.rows(STATISTICS, Map.of("experimentId", experimentId))
                .map(rows -> rows.stream().map(r -> new MetricStatistics((String) r[0], number(r[1]).longValue(),
                        number(r[2]).doubleValue(), number(r[3]).doubleValue(), number(r[4]).doubleValue(),
                        number(r[5]).doubleValue(), number(r[6]).doubleValue(),
                        r[7] == null ? null : number(r[7]).doubleValue())).toList());
    }

    /** How many of the experiment's runs completed, failed and are running. */
    public Uni<RunCounts> counts(UUID experimentId) {
        return NativeSql.rows(COUNTS, Map.of("experimentId", experimentId)).map(rows -> {
            Object[] r = rows.get(0);
            return new RunCounts(number(r[0]).longValue(), number(r[1]).longValue(), number(r[2]).longValue());
        });
    }

    /**
     * The id of the run with the smallest (or largest) finite value of the metric, or null when no run has one.
     */
    public Uni<UUID> best(UUID experimentId, String metric, boolean minimize) {
        String sql = BEST.formatted(NativeSql.finite("value"), minimize ? "asc" : "desc");
        return NativeSql.rows(sql, Map.of("experimentId", experimentId, "metric", metric))
                .map(rows -> rows.isEmpty() ? null : (UUID) single(rows.get(0)));
    }

    /** Number of completed results of the experiment. */
    public Uni<Long> resultCount(UUID experimentId) {
        return NativeSql.rows("select count(*) from run_result where experiment_id = :experimentId",
                Map.of("experimentId", experimentId)).map(rows -> number(single(rows.get(0))).longValue());
    }

    /** One page of the experiment's results, by partition then run id. */
    public Uni<List<Result>> resultPage(UUID experimentId, int offset, int limit) {
        return NativeSql.rows(RESULT_PAGE, Map.of("experimentId", experimentId, "offset", offset, "limit", limit))
                .map(TrackingRepository::results);
    }

    /** Every result of the experiment, by partition then run id. */
    public Uni<List<Result>> allResults(UUID experimentId) {
        return NativeSql.rows(ALL_RESULTS, Map.of("experimentId", experimentId)).map(TrackingRepository::results);
    }

    /** The results of these runs of the experiment (runs without a result are left out). */
    public Uni<List<Result>> results(UUID experimentId, Collection<UUID> runIds) {
        return NativeSql.rows(CHOSEN_RESULTS, Map.of("experimentId", experimentId, "runIds", runIds))
                .map(TrackingRepository::results);
    }

    /** The run's result, or null while it has none. */
    public Uni<Result> result(UUID runId) {
        return NativeSql.rows(ONE_RESULT, Map.of("runId", runId))
                .map(rows -> results(rows).stream().findFirst().orElse(null));
    }

    /** Number of distinct partitions (no partition counts as one) among the experiment's results. */
    public Uni<Long> partitionCount(UUID experimentId) {
        return NativeSql.rows(PARTITION_COUNT, Map.of("experimentId", experimentId))
                .map(rows -> number(single(rows.get(0))).longValue());
    }

    /** Per-partition metric aggregates for one page of partitions, by partition then metric name. */
    public Uni<List<PartitionMetric>> partitionPage(UUID experimentId, int offset, int limit) {
        return NativeSql.rows(PARTITION_PAGE, Map.of("experimentId", experimentId, "offset", offset, "limit", limit))
                .map(rows -> rows.stream().map(r -> r[2] == null
                        ? new PartitionMetric((String) r[0], number(r[1]).longValue(), null, 0, Double.NaN,
                                Double.NaN, Double.NaN)
                        : new PartitionMetric((String) r[0], number(r[1]).longValue(), (String) r[2],
                                number(r[3]).longValue(), number(r[4]).doubleValue(), number(r[5]).doubleValue(),
                                number(r[6]).doubleValue())).toList());
    }

    /** The run's model and data as its newest run.started event says; null when it has none. */
    public Uni<TrackingRows.Spec> spec(UUID runId) {
        return NativeSql.rows(SPEC, Map.of("runId", runId))
                .map(rows -> rows.isEmpty() ? null : new TrackingRows.Spec((String) rows.get(0)[0],
                        (String) rows.get(0)[1]));
    }

    /** The run's attempts, from its run.started events, in attempt order. */
    public Uni<List<Attempt>> attempts(UUID runId) {
        return NativeSql.rows(ATTEMPTS, Map.of("runId", runId))
                .map(rows -> rows.stream().map(r -> new Attempt(number(r[0]).intValue(), (String) r[1],
                        number(r[2]).intValue(), r[3] == null ? null : number(r[3]).intValue(), instant(r[4])))
                        .toList());
    }

    /** The run's per-epoch losses, in epoch order. */
    public Uni<List<Epoch>> curve(UUID runId) {
        return NativeSql.rows(CURVE, Map.of("runId", runId))
                .map(rows -> rows.stream().map(r -> new Epoch(number(r[0]).intValue(), number(r[1]).intValue(),
                        number(r[2]).doubleValue(), number(r[3]).doubleValue(), number(r[4]).doubleValue(),
                        instant(r[5]))).toList());
    }

    /** Folds rows of one metric each (ordered by run) into results. */
    private static List<Result> results(List<Object[]> rows) {
        Map<UUID, Result> results = new LinkedHashMap<>();
        for (Object[] r : rows) {
            Result result = results.computeIfAbsent((UUID) r[0], id -> new Result(id, (UUID) r[1], (String) r[2],
                    number(r[3]).intValue(), number(r[4]).intValue(), (String) r[5], instant(r[6]), new TreeMap<>()));
            if (r[7] != null) {
                result.metrics().put((String) r[7], number(r[8]).doubleValue());
            }
        }
        return new ArrayList<>(results.values());
    }

    private static Object single(Object row) {
        // a one-column native query may answer the value itself rather than a one-element array
        return row instanceof Object[] array ? array[0] : row;
    }

    private static Number number(Object value) {
        return (Number) value;
    }

    static Instant instant(Object value) {
        return switch (value) {
            case null -> null;
            case Instant i -> i;
            case OffsetDateTime o -> o.toInstant();
            case ZonedDateTime z -> z.toInstant();
            case Timestamp t -> t.toInstant();
            case LocalDateTime l -> l.toInstant(ZoneOffset.UTC);
            default -> throw new IllegalStateException("Not a timestamp: " + value.getClass());
        };
    }
}
