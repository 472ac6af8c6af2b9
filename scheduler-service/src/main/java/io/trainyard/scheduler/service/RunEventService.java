package io.trainyard.scheduler.service;

import io.smallrye.mutiny.Uni;
import io.trainyard.contracts.RunEvent;
import io.trainyard.scheduler.RunAttemptEntity;
import io.trainyard.scheduler.RunEntity;
import io.trainyard.scheduler.RunState;
import io.trainyard.scheduler.repository.RunEventStore;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Applies run events to the runs they are about, a batch of events per transaction: the batch's runs are locked and
 * read once, the events applied in memory in the order given ({@link RunEvents}, {@link RunAttempts}, exactly as one
 * transaction per event would apply them), and what changed is written back with one statement per table.
 */
@ApplicationScoped
public class RunEventService {

    private final Pool pool;
    private final RunEventStore store;

    public RunEventService(Pool pool, RunEventStore store) {
        this.pool = pool;
        this.store = store;
    }

    /**
     * Applies {@code events}, in this order, in one transaction. The outcome of each event is at its index; empty
     * when its run is unknown here (another installation's run, or a deleted one). Nothing is applied if it fails.
     */
    public Uni<List<Optional<RunEvents.Outcome>>> apply(List<RunEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Set<UUID> ids = new LinkedHashSet<>();
        events.forEach(e -> ids.add(e.run().runId()));
        return pool.withTransaction(connection -> store.lockRuns(connection, ids).chain(runs -> runs.isEmpty()
                ? Uni.createFrom().item(events.stream().map(e -> Optional.<RunEvents.Outcome>empty()).toList())
                : store.attemptsOf(connection, runs.keySet())
                        .chain(attempts -> applyAndWrite(connection, events, runs, attempts))));
    }

    private Uni<List<Optional<RunEvents.Outcome>>> applyAndWrite(SqlConnection connection, List<RunEvent> events,
            Map<UUID, RunEntity> runs, Map<UUID, List<RunAttemptEntity>> attempts) {
        Map<UUID, RunColumns> runsBefore = new HashMap<>();
        runs.values().forEach(run -> runsBefore.put(run.id, RunColumns.of(run)));
        Map<RunAttemptEntity.Key, AttemptColumns> attemptsBefore = new HashMap<>();
        attempts.values().forEach(list -> list.forEach(a -> attemptsBefore.put(a.id, AttemptColumns.of(a))));

        List<Optional<RunEvents.Outcome>> outcomes = new ArrayList<>(events.size());
        for (RunEvent event : events) {
            RunEntity run = runs.get(event.run().runId());
            if (run == null) {
                outcomes.add(Optional.empty());
                continue;
            }
            RunEvents.Outcome outcome = RunEvents.apply(run, event);
            outcomes.add(Optional.of(outcome));
            // A finished run's attempts still learn how they ended (a cancelled run's trainer reports its stop).
            if (outcome == RunEvents.Outcome.STALE || outcome == RunEvents.Outcome.MISMATCHED) {
                continue;
            }
            List<RunAttemptEntity> known = attempts.computeIfAbsent(run.id, id -> new ArrayList<>());
            RunAttemptEntity created = RunAttempts.apply(known, event);
            if (created != null) {
                known.add(created);
                known.sort(Comparator.comparingInt(a -> a.id.attempt()));
            }
        }

        List<RunEntity> changedRuns = runs.values().stream()
                .filter(run -> !RunColumns.of(run).equals(runsBefore.get(run.id))).toList();
        List<RunAttemptEntity> changedAttempts = attempts.values().stream().flatMap(List::stream)
                .filter(a -> !AttemptColumns.of(a).equals(attemptsBefore.get(a.id))).toList();
        return store.updateRuns(connection, changedRuns)
                .chain(() -> store.upsertAttempts(connection, changedAttempts))
                .replaceWith(outcomes);
    }

    /** The columns of a run that events change, to tell which runs need writing. */
    private record RunColumns(RunState state, int epoch, int epochs, int attempts, int lastAttempt, long lastSequence,
            Integer resumedFromEpoch, String trainer, String reason, Instant startedAt, Instant finishedAt) {

        static RunColumns of(RunEntity r) {
            return new RunColumns(r.state, r.epoch, r.epochs, r.attempts, r.lastAttempt, r.lastSequence,
                    r.resumedFromEpoch, r.trainer, r.reason, r.startedAt, r.finishedAt);
        }
    }

    /** The columns of an attempt that events change; a new attempt has none before. */
    private record AttemptColumns(String trainer, Instant startedAt, Integer startEpoch, Integer resumedFromEpoch,
            int lastEpoch, Instant endedAt, RunAttemptEntity.Outcome outcome, String detail) {

        static AttemptColumns of(RunAttemptEntity a) {
            return new AttemptColumns(a.trainer, a.startedAt, a.startEpoch, a.resumedFromEpoch, a.lastEpoch,
                    a.endedAt, a.outcome, a.detail);
        }
    }
}
