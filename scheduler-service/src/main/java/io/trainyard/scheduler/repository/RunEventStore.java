package io.trainyard.scheduler.repository;

import io.smallrye.mutiny.Uni;
import io.trainyard.scheduler.RunAttemptEntity;
import io.trainyard.scheduler.RunEntity;
import io.trainyard.scheduler.RunState;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Reads and writes what a batch of run events changes, in SQL on the reactive client, inside the caller's
 * transaction: the runs (locked) and their attempts are read with one statement each, as plain unmanaged entities,
 * and written back with one statement each ({@code unnest}).
 *
 * <p>Why SQL here and not Hibernate: applying one event per Hibernate Reactive transaction cost the scheduler's
 * event loop about 5 ms of CPU per event (session, persistence context, dirty checking, flush), one of the largest
 * costs of the whole platform on two cores. Only the columns the run state machine reads or writes are read; the
 * columns must follow the Flyway migrations and the entities ({@code RunEventBatchTest} compares every one of them).
 */
@ApplicationScoped
public class RunEventStore {

    /* Sorted by id: two replicas locking overlapping batches take the locks in the same order, so never deadlock. */
    private static final String LOCK_RUNS = """
            select id, experiment_id, state, epoch, epochs, attempts, last_attempt, last_sequence, resumed_from_epoch,
                   trainer, reason, started_at, finished_at
            from run where id = any($1::uuid[]) order by id for update
            """;

    private static final String ATTEMPTS = """
            select run_id, attempt, trainer, started_at, start_epoch, resumed_from_epoch, last_epoch, ended_at, outcome,
                   detail
            from run_attempt where run_id = any($1::uuid[]) order by run_id, attempt
            """;

    private static final String UPDATE_RUNS = """
            update run set state = x.state, epoch = x.epoch, epochs = x.epochs, attempts = x.attempts,
                           last_attempt = x.last_attempt, last_sequence = x.last_sequence,
                           resumed_from_epoch = x.resumed_from_epoch, trainer = x.trainer, reason = x.reason,
                           started_at = x.started_at, finished_at = x.finished_at
            from unnest($1::uuid[], $2::text[], $3::int4[], $4::int4[], $5::int4[], $6::int4[], $7::int8[],
                        $8::int4[], $9::text[], $10::text[], $11::timestamptz[], $12::timestamptz[])
                 as x(id, state, epoch, epochs, attempts, last_attempt, last_sequence, resumed_from_epoch, trainer,
                      reason, started_at, finished_at)
            where run.id = x.id
            """;

    private static final String UPSERT_ATTEMPTS = """
            insert into run_attempt (run_id, attempt, trainer, started_at, start_epoch, resumed_from_epoch, last_epoch,
                                     ended_at, outcome, detail)
            select * from unnest($1::uuid[], $2::int4[], $3::text[], $4::timestamptz[], $5::int4[], $6::int4[],
                                 $7::int4[], $8::timestamptz[], $9::text[], $10::text[])
            on conflict (run_id, attempt) do update set trainer = excluded.trainer, started_at = excluded.started_at,
                start_epoch = excluded.start_epoch, resumed_from_epoch = excluded.resumed_from_epoch,
                last_epoch = excluded.last_epoch, ended_at = excluded.ended_at, outcome = excluded.outcome,
                detail = excluded.detail
            """;

    /**
     * The runs of {@code ids} that exist, locked until the transaction ends so that replicas never apply events to
     * one run at once; by id. Only the columns the run events read or change are filled in.
     */
    public Uni<Map<UUID, RunEntity>> lockRuns(SqlConnection connection, Collection<UUID> ids) {
        return connection.preparedQuery(LOCK_RUNS).execute(Tuple.of(ids.toArray(UUID[]::new))).map(rows -> {
            Map<UUID, RunEntity> runs = new LinkedHashMap<>();
            for (Row row : rows) {
                RunEntity run = toRun(row);
                runs.put(run.id, run);
            }
            return runs;
        });
    }

    /** Every attempt of the runs of {@code ids}, by run, oldest first. */
    public Uni<Map<UUID, List<RunAttemptEntity>>> attemptsOf(SqlConnection connection, Collection<UUID> ids) {
        return connection.preparedQuery(ATTEMPTS).execute(Tuple.of(ids.toArray(UUID[]::new))).map(rows -> {
            Map<UUID, List<RunAttemptEntity>> attempts = new LinkedHashMap<>();
            for (Row row : rows) {
                RunAttemptEntity attempt = toAttempt(row);
                attempts.computeIfAbsent(attempt.id.runId(), id -> new ArrayList<>()).add(attempt);
            }
            return attempts;
        });
    }

    /** Writes the event-driven columns of {@code runs} (each run at most once). */
    public Uni<Void> updateRuns(SqlConnection connection, List<RunEntity> runs) {
        if (runs.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = runs.size();
        UUID[] ids = new UUID[n];
        String[] states = new String[n];
        Integer[] epochs = new Integer[n];
        Integer[] totalEpochs = new Integer[n];
        Integer[] attempts = new Integer[n];
        Integer[] lastAttempts = new Integer[n];
        Long[] lastSequences = new Long[n];
        Integer[] resumedFrom = new Integer[n];
        String[] trainers = new String[n];
        String[] reasons = new String[n];
        OffsetDateTime[] startedAt = new OffsetDateTime[n];
        OffsetDateTime[] finishedAt = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            RunEntity run = runs.get(i);
            ids[i] = run.id;
            states[i] = run.state.name();
            epochs[i] = run.epoch;
            totalEpochs[i] = run.epochs;
            attempts[i] = run.attempts;
            lastAttempts[i] = run.lastAttempt;
            lastSequences[i] = run.lastSequence;
            resumedFrom[i] = run.resumedFromEpoch;
            trainers[i] = run.trainer;
            reasons[i] = run.reason;
            startedAt[i] = utc(run.startedAt);
            finishedAt[i] = utc(run.finishedAt);
        }
        return connection.preparedQuery(UPDATE_RUNS).execute(Tuple.from(List.of(ids, states, epochs, totalEpochs,
                attempts, lastAttempts, lastSequences, resumedFrom, trainers, reasons, startedAt, finishedAt)))
                .replaceWithVoid();
    }

    /** Inserts new attempts and writes changed ones (each attempt at most once). */
    public Uni<Void> upsertAttempts(SqlConnection connection, List<RunAttemptEntity> attempts) {
        if (attempts.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = attempts.size();
        UUID[] runIds = new UUID[n];
        Integer[] numbers = new Integer[n];
        String[] trainers = new String[n];
        OffsetDateTime[] startedAt = new OffsetDateTime[n];
        Integer[] startEpochs = new Integer[n];
        Integer[] resumedFrom = new Integer[n];
        Integer[] lastEpochs = new Integer[n];
        OffsetDateTime[] endedAt = new OffsetDateTime[n];
        String[] outcomes = new String[n];
        String[] details = new String[n];
        for (int i = 0; i < n; i++) {
            RunAttemptEntity a = attempts.get(i);
            runIds[i] = a.id.runId();
            numbers[i] = a.id.attempt();
            trainers[i] = a.trainer;
            startedAt[i] = utc(a.startedAt);
            startEpochs[i] = a.startEpoch;
            resumedFrom[i] = a.resumedFromEpoch;
            lastEpochs[i] = a.lastEpoch;
            endedAt[i] = utc(a.endedAt);
            outcomes[i] = a.outcome.name();
            details[i] = a.detail;
        }
        return connection.preparedQuery(UPSERT_ATTEMPTS).execute(Tuple.from(List.of(runIds, numbers, trainers,
                startedAt, startEpochs, resumedFrom, lastEpochs, endedAt, outcomes, details))).replaceWithVoid();
    }

    private static RunEntity toRun(Row row) {
        RunEntity run = new RunEntity();
        run.id = row.getUUID("id");
        run.experimentId = row.getUUID("experiment_id");
        run.state = RunState.valueOf(row.getString("state"));
        run.epoch = row.getInteger("epoch");
        run.epochs = row.getInteger("epochs");
        run.attempts = row.getInteger("attempts");
        run.lastAttempt = row.getInteger("last_attempt");
        run.lastSequence = row.getLong("last_sequence");
        run.resumedFromEpoch = row.getInteger("resumed_from_epoch");
        run.trainer = row.getString("trainer");
        run.reason = row.getString("reason");
        run.startedAt = instant(row.getOffsetDateTime("started_at"));
        run.finishedAt = instant(row.getOffsetDateTime("finished_at"));
        return run;
    }

    private static RunAttemptEntity toAttempt(Row row) {
        RunAttemptEntity a = new RunAttemptEntity();
        a.id = new RunAttemptEntity.Key(row.getUUID("run_id"), row.getInteger("attempt"));
        a.trainer = row.getString("trainer");
        a.startedAt = instant(row.getOffsetDateTime("started_at"));
        a.startEpoch = row.getInteger("start_epoch");
        a.resumedFromEpoch = row.getInteger("resumed_from_epoch");
        a.lastEpoch = row.getInteger("last_epoch");
        a.endedAt = instant(row.getOffsetDateTime("ended_at"));
        a.outcome = RunAttemptEntity.Outcome.valueOf(row.getString("outcome"));
        a.detail = row.getString("detail");
        return a;
    }

    private static Instant instant(OffsetDateTime at) {
        return at == null ? null : at.toInstant();
    }

    private static OffsetDateTime utc(Instant at) {
        return at == null ? null : at.atOffset(ZoneOffset.UTC);
    }
}
