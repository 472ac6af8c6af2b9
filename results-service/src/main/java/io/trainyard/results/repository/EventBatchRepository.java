package io.trainyard.results.repository;

import io.smallrye.mutiny.Uni;
import io.trainyard.contracts.RunCompleted;
import io.trainyard.contracts.RunProgressed;
import io.trainyard.contracts.RunRef;
import io.trainyard.results.RunState;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Writes a batch of run events on one connection of the reactive pool, inside the caller's transaction. Rows go in
 * as arrays ({@code unnest}), one statement per table, because one round trip and one commit per event capped
 * ingest at a few hundred events per second. Run statuses go the same way, one row per run and statement: the status
 * rules must see a run's events one after the other, exactly as they would one per transaction (see
 * {@link #applyStatuses}).
 */
@ApplicationScoped
public class EventBatchRepository {

    private static final String INSERT_EVENTS = """
            insert into run_event (run_id, experiment_id, attempt, sequence, epoch, kind, trainer, occurred_at, payload)
            select r, e, a, s, ep, k, t, o, cast(convert_from(p, 'UTF8') as jsonb)
            from unnest($1::uuid[], $2::uuid[], $3::int4[], $4::int8[], $5::int4[], $6::text[], $7::text[],
                        $8::timestamptz[], $9::bytea[]) as x(r, e, a, s, ep, k, t, o, p)
            on conflict (run_id, attempt, epoch, kind) do nothing
            """;

    // Which of these keys this transaction inserted (xmin is its id): asked only when some were there already.
    private static final String INSERTED_HERE = """
            select e.run_id, e.attempt, e.epoch, e.kind
            from unnest($1::uuid[], $2::int4[], $3::int4[], $4::text[]) as k(r, a, ep, kd)
            join run_event e on e.run_id = k.r and e.attempt = k.a and e.epoch = k.ep and e.kind = k.kd
            where e.xmin = pg_current_xact_id()::xid
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

    /*
     * Taken after a batch's inserts of new rows and before it touches rows that other batches touch too (experiment
     * activity, run statuses, results), held until commit. Batches run two at a time (the consumer's pipeline) and
     * on every replica; a batch with several status changes for one run upserts in rounds, and two batches could
     * otherwise each hold a run the other waits for. The inserts before it, the bulk of a batch's time, still overlap.
     */
    private static final String ROW_PHASE_LOCK = "select pg_advisory_xact_lock(" + 0x7472_6169_6e79L + ")";

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
            select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::int4[], $7::int8[],
                                 $8::int4[], $9::int4[], $10::timestamptz[])
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

    /**
     * One event's row in {@code run_event}.
     *
     * @param body the message as received, UTF-8 (the payload goes as bytes: the driver need not encode it again)
     */
    public record EventRow(RunRef run, int epoch, String kind, byte[] body) {

        Key key() {
            return new Key(run.runId(), run.attempt(), epoch, kind);
        }
    }

    /** The unique key of {@code run_event}. */
    private record Key(UUID runId, int attempt, int epoch, String kind) {
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
        Buffer[] payloads = new Buffer[n];
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
            payloads[i] = Buffer.buffer(row.body());
        }
        // the usual batch is all new: then the row count says so, and no row needs to come back
        Set<Key> keys = new LinkedHashSet<>();
        for (EventRow row : rows) {
            keys.add(row.key());
        }
        return connection.preparedQuery(INSERT_EVENTS)
                .execute(Tuple.from(List.of(runs, experiments, attempts, sequences, epochs, kinds, trainers, at,
                        payloads)))
                .flatMap(inserted -> inserted.rowCount() == keys.size()
                        ? Uni.createFrom().item(keys)
                        : insertedHere(connection, keys))
                .map(fresh -> {
                    boolean[] isNew = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        isNew[i] = fresh.remove(rows.get(i).key());
                    }
                    return isNew;
                });
    }

    private static Uni<Set<Key>> insertedHere(SqlConnection connection, Set<Key> keys) {
        int n = keys.size();
        UUID[] runs = new UUID[n];
        Integer[] attempts = new Integer[n];
        Integer[] epochs = new Integer[n];
        String[] kinds = new String[n];
        int i = 0;
        for (Key key : keys) {
            runs[i] = key.runId();
            attempts[i] = key.attempt();
            epochs[i] = key.epoch();
            kinds[i] = key.kind();
            i++;
        }
        return connection.preparedQuery(INSERTED_HERE).execute(Tuple.of(runs, attempts, epochs, kinds))
                .map(inserted -> {
                    Set<Key> fresh = new HashSet<>();
                    inserted.forEach(r -> fresh.add(new Key(r.getUUID(0), r.getInteger(1), r.getInteger(2),
                            r.getString(3))));
                    return fresh;
                });
    }

    /**
     * Waits until no other batch is in its row phase, and holds the phase until this transaction ends (see
     * {@code ROW_PHASE_LOCK}).
     */
    public Uni<Void> enterRowPhase(SqlConnection connection) {
        return connection.query(ROW_PHASE_LOCK).execute().replaceWithVoid();
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

    /**
     * Applies the status changes as if one after the other. A change that the run's next one makes moot is left
     * out ({@link #supersedes}); what remains goes in rounds, the first remaining change of every run, then the
     * second, and so on: an upsert statement may touch a row only once. In the usual batch (each run's progress
     * since the last batch) that is one statement for all runs.
     */
    public Uni<Void> applyStatuses(SqlConnection connection, List<StatusChange> changes) {
        Map<UUID, List<StatusChange>> byRun = new HashMap<>();
        int rounds = 0;
        for (StatusChange change : changes) {
            List<StatusChange> run = byRun.computeIfAbsent(change.run().runId(), id -> new ArrayList<>(1));
            if (!run.isEmpty() && supersedes(change, run.getLast())) {
                run.set(run.size() - 1, change);
            } else {
                run.add(change);
            }
            rounds = Math.max(rounds, run.size());
        }
        // runs in id order within a statement: two replicas upserting the same runs lock them in the same order
        List<List<StatusChange>> runs = byRun.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(Map.Entry::getValue)
                .toList();
        Uni<Void> applied = Uni.createFrom().voidItem();
        for (int round = 0; round < rounds; round++) {
            int r = round;
            List<StatusChange> statement = runs.stream().filter(run -> run.size() > r).map(run -> run.get(r)).toList();
            applied = applied.flatMap(v -> upsertStatuses(connection, statement));
        }
        return applied;
    }

    /**
     * Whether applying {@code earlier} then {@code later} leaves the run's row exactly as applying {@code later}
     * alone would, whatever the row held before. True for two RUNNING changes where the later one is newer by
     * (attempt, sequence) and sets every field the earlier one sets (a field left null keeps the stored value,
     * which could be the earlier one's): if the earlier one is accepted, so is the later one, which then
     * overwrites it; if the earlier one is refused (stale, or the run is SUCCEEDED or CANCELLED), the later one
     * meets the same rule on its own.
     */
    static boolean supersedes(StatusChange later, StatusChange earlier) {
        return later.status() == RunState.RUNNING && earlier.status() == RunState.RUNNING
                && compare(later.run(), earlier.run()) > 0
                && (later.partition() != null || earlier.partition() == null)
                && (later.epoch() != null || earlier.epoch() == null)
                && (later.epochs() != null || earlier.epochs() == null);
    }

    private static int compare(RunRef a, RunRef b) {
        int byAttempt = Integer.compare(a.attempt(), b.attempt());
        return byAttempt != 0 ? byAttempt : Long.compare(a.sequence(), b.sequence());
    }

    private static Uni<Void> upsertStatuses(SqlConnection connection, List<StatusChange> changes) {
        int n = changes.size();
        UUID[] runs = new UUID[n];
        UUID[] experiments = new UUID[n];
        String[] statuses = new String[n];
        String[] reasons = new String[n];
        String[] partitions = new String[n];
        Integer[] attempts = new Integer[n];
        Long[] sequences = new Long[n];
        Integer[] epochs = new Integer[n];
        Integer[] totals = new Integer[n];
        OffsetDateTime[] at = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            StatusChange c = changes.get(i);
            runs[i] = c.run().runId();
            experiments[i] = c.run().experimentId();
            statuses[i] = c.status().name();
            reasons[i] = c.reason();
            partitions[i] = c.partition();
            attempts[i] = c.run().attempt();
            sequences[i] = c.run().sequence();
            epochs[i] = c.epoch();
            totals[i] = c.epochs();
            at[i] = NativeSql.utc(c.run().at());
        }
        return connection.preparedQuery(UPSERT_STATUS)
                .execute(Tuple.from(List.of(runs, experiments, statuses, reasons, partitions, attempts, sequences,
                        epochs, totals, at)))
                .replaceWithVoid();
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
