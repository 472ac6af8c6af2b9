package io.trainyard.results.repository;

import io.smallrye.mutiny.Uni;
import io.trainyard.contracts.RunCompleted;
import io.trainyard.contracts.RunProgressed;
import io.trainyard.contracts.RunRef;
import io.trainyard.results.RunState;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Writes a batch of run events on one connection of the reactive pool, inside the caller's transaction. Rows go in
 * as arrays ({@code unnest}), one statement per table, because one round trip and one commit per event capped
 * ingest at a few hundred events per second; the run status upserts go as one pipelined batch in event order, so
 * the status rules see the events one after the other exactly as they would one per transaction.
 */
@ApplicationScoped
public class EventBatchRepository {

    private static final String INSERT_EVENTS = """
            insert into run_event (run_id, experiment_id, attempt, sequence, epoch, kind, trainer, occurred_at, payload)
            select r, e, a, s, ep, k, t, o, cast(p as jsonb)
            from unnest($1::uuid[], $2::uuid[], $3::int4[], $4::int8[], $5::int4[], $6::text[], $7::text[],
                        $8::timestamptz[], $9::text[]) as x(r, e, a, s, ep, k, t, o, p)
            on conflict (run_id, attempt, epoch, kind) do nothing
            returning run_id, attempt, epoch, kind
            """;

    private static final String INSERT_PROGRESS = """
            insert into run_progress (run_id, attempt, epoch, experiment_id, epochs, train_loss, validation_loss,
                                      epoch_seconds, occurred_at)
            select * from unnest($1::uuid[], $2::int4[], $3::int4[], $4::uuid[], $5::int4[], $6::float8[],
                                 $7::float8[], $8::float8[], $9::timestamptz[])
            on conflict (run_id, attempt, epoch) do nothing
            """;

    // sorted ids: two replicas touching the same experiments lock them in the same order. The first owner and
    // visibility an event brings stay: they never change for an experiment.
    private static final String TOUCH = """
            insert into experiment_activity (experiment_id, first_event_at, last_event_at, owner, visibility)
            select e, now(), now(), o, v from unnest($1::uuid[], $2::text[], $3::text[]) as x(e, o, v)
            on conflict (experiment_id) do update set last_event_at = excluded.last_event_at,
                owner = coalesce(experiment_activity.owner, excluded.owner),
                visibility = coalesce(experiment_activity.visibility, excluded.visibility)
            """;

    private static final String INSERT_RESULT = """
            insert into run_result (run_id, experiment_id, partition_value, attempt, epochs, model_location,
                                    completed_at)
            values ($1, $2, $3, $4, $5, $6, $7)
            on conflict (run_id) do nothing
            """;

    private static final String INSERT_METRICS = """
            insert into run_metric (run_id, experiment_id, name, value)
            select $1, $2, n, v from unnest($3::text[], $4::float8[]) as x(n, v)
            """;

    /*
     * Moves only forward: an event not newer by (attempt, sequence) than the stored one is ignored (late, duplicate
     * or from a stale attempt), except that a completion always wins, and SUCCEEDED is final (the model exists); a
     * cancellation ends a running run whichever attempt reports it, and only a completion moves a cancelled run on.
     */
    private static final String UPSERT_STATUS = """
            insert into run_status (run_id, experiment_id, status, reason, partition_value, attempt, sequence, epoch,
                                    epochs, updated_at)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            on conflict (run_id) do update set
                status = excluded.status,
                reason = excluded.reason,
                partition_value = coalesce(excluded.partition_value, run_status.partition_value),
                attempt = excluded.attempt,
                sequence = excluded.sequence,
                epoch = coalesce(excluded.epoch, run_status.epoch),
                epochs = coalesce(excluded.epochs, run_status.epochs),
                updated_at = excluded.updated_at
            where run_status.status <> 'SUCCEEDED'
              and (excluded.status = 'SUCCEEDED'
                   or (excluded.status = 'CANCELLED' and run_status.status = 'RUNNING')
                   or (run_status.status <> 'CANCELLED'
                       and (excluded.attempt, excluded.sequence) > (run_status.attempt, run_status.sequence)))
            """;

    /** One event's row in {@code run_event}. */
    public record EventRow(RunRef run, int epoch, String kind, String json) {

        String key() {
            return run.runId() + "/" + run.attempt() + "/" + epoch + "/" + kind;
        }
    }

    /**
     * What an event says about its run's status.
     *
     * @param partition the run's partition when the event carries it, else null (the stored one is kept)
     * @param epoch     epochs done, when the event says, else null
     * @param epochs    total epochs, when the event says, else null
     * @param reason    why the run failed (FAILED only)
     */
    public record StatusChange(RunRef run, RunState status, String partition, Integer epoch, Integer epochs,
            String reason) {
    }

    /**
     * Stores the events unless already stored; a key repeated within the batch counts once, first come.
     *
     * @return per event, in order, true when it is new
     */
    public Uni<boolean[]> insertEvents(SqlConnection connection, List<EventRow> rows) {
        int n = rows.size();
        UUID[] runs = new UUID[n];
        UUID[] experiments = new UUID[n];
        Integer[] attempts = new Integer[n];
        Long[] sequences = new Long[n];
        Integer[] epochs = new Integer[n];
        String[] kinds = new String[n];
        String[] trainers = new String[n];
        OffsetDateTime[] at = new OffsetDateTime[n];
        String[] payloads = new String[n];
        for (int i = 0; i < n; i++) {
            EventRow row = rows.get(i);
            runs[i] = row.run().runId();
            experiments[i] = row.run().experimentId();
            attempts[i] = row.run().attempt();
            sequences[i] = row.run().sequence();
            epochs[i] = row.epoch();
            kinds[i] = row.kind();
            trainers[i] = row.run().trainer();
            at[i] = NativeSql.utc(row.run().at());
            payloads[i] = row.json();
        }
        return connection.preparedQuery(INSERT_EVENTS)
                .execute(Tuple.from(List.of(runs, experiments, attempts, sequences, epochs, kinds, trainers, at,
                        payloads)))
                .map(inserted -> {
                    Set<String> fresh = new HashSet<>();
                    inserted.forEach(r -> fresh.add(r.getUUID(0) + "/" + r.getInteger(1) + "/" + r.getInteger(2)
                            + "/" + r.getString(3)));
                    boolean[] isNew = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        isNew[i] = fresh.remove(rows.get(i).key());
                    }
                    return isNew;
                });
    }

    /** Stores the epochs' losses (once per run, attempt and epoch). */
    public Uni<Void> insertProgress(SqlConnection connection, List<RunProgressed> progress) {
        if (progress.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = progress.size();
        UUID[] runs = new UUID[n];
        Integer[] attempts = new Integer[n];
        Integer[] epochs = new Integer[n];
        UUID[] experiments = new UUID[n];
        Integer[] totals = new Integer[n];
        Double[] train = new Double[n];
        Double[] validation = new Double[n];
        Double[] seconds = new Double[n];
        OffsetDateTime[] at = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            RunProgressed p = progress.get(i);
            runs[i] = p.run().runId();
            attempts[i] = p.run().attempt();
            epochs[i] = p.epoch();
            experiments[i] = p.run().experimentId();
            totals[i] = p.epochs();
            train[i] = p.trainLoss();
            validation[i] = p.validationLoss();
            seconds[i] = p.epochSeconds();
            at[i] = NativeSql.utc(p.run().at());
        }
        return connection.preparedQuery(INSERT_PROGRESS)
                .execute(Tuple.from(List.of(runs, attempts, epochs, experiments, totals, train, validation, seconds,
                        at)))
                .replaceWithVoid();
    }

    /**
     * Notes that these experiments just had events, with the owner and visibility the events carry (per
     * experiment, one of its events: they are the same on all of them).
     */
    public Uni<Void> touch(SqlConnection connection, Map<UUID, RunRef> experiments) {
        UUID[] ids = experiments.keySet().toArray(UUID[]::new);
        Arrays.sort(ids);
        String[] owners = new String[ids.length];
        String[] visibilities = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            RunRef ref = experiments.get(ids[i]);
            owners[i] = ref.owner();
            visibilities[i] = ref.owner() == null || ref.visibility() == null ? null : ref.visibility().wire();
        }
        return connection.preparedQuery(TOUCH).execute(Tuple.of(ids, owners, visibilities)).replaceWithVoid();
    }

    /** Applies the status changes one after the other, in one round trip. */
    public Uni<Void> applyStatuses(SqlConnection connection, List<StatusChange> changes) {
        if (changes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> tuples = new ArrayList<>(changes.size());
        for (StatusChange c : changes) {
            tuples.add(Tuple.from(Arrays.asList(c.run().runId(), c.run().experimentId(), c.status().name(),
                    c.reason(), c.partition(), c.run().attempt(), c.run().sequence(), c.epoch(), c.epochs(),
                    NativeSql.utc(c.run().at()))));
        }
        return connection.preparedQuery(UPSERT_STATUS).executeBatch(tuples).replaceWithVoid();
    }

    /**
     * Records the run's result and metrics unless the run already has one.
     *
     * @return true when this completion is the run's first
     */
    public Uni<Boolean> insertResult(SqlConnection connection, RunCompleted completed) {
        RunRef run = completed.run();
        return connection.preparedQuery(INSERT_RESULT)
                .execute(Tuple.from(Arrays.asList(run.runId(), run.experimentId(), completed.partition(),
                        run.attempt(), completed.epochs(), completed.modelLocation(), NativeSql.utc(run.at()))))
                .flatMap(inserted -> {
                    if (inserted.rowCount() == 0) {
                        return Uni.createFrom().item(false);
                    }
                    if (completed.metrics().isEmpty()) {
                        return Uni.createFrom().item(true);
                    }
                    List<Map.Entry<String, Double>> metrics = new ArrayList<>(completed.metrics().entrySet());
                    String[] names = metrics.stream().map(Map.Entry::getKey).toArray(String[]::new);
                    Double[] values = metrics.stream().map(Map.Entry::getValue).toArray(Double[]::new);
                    return connection.preparedQuery(INSERT_METRICS)
                            .execute(Tuple.of(run.runId(), run.experimentId(), names, values))
                            .replaceWith(true);
                });
    }
}
