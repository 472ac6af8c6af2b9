package io.trainyard.results.service;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.trainyard.contracts.RunCancelled;
import io.trainyard.contracts.RunCheckpointed;
import io.trainyard.contracts.RunCompleted;
import io.trainyard.contracts.RunEvent;
import io.trainyard.contracts.RunFailed;
import io.trainyard.contracts.RunProgressed;
import io.trainyard.contracts.RunRef;
import io.trainyard.contracts.RunReleased;
import io.trainyard.contracts.RunStarted;
import io.trainyard.results.RunState;
import io.trainyard.results.repository.EventBatchRepository;
import io.trainyard.results.repository.EventBatchRepository.EventRow;
import io.trainyard.results.repository.EventBatchRepository.StatusChange;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Stores run events and what they mean for their runs, exactly once: each event's unique key decides, in the same
 * transaction as its effects, so a redelivered or re-published event changes nothing. A batch of events is one
 * transaction; its effects are those of storing the events one after the other, in order.
 */
@ApplicationScoped
public class EventRecorder {

    /**
     * An event as received.
     *
     * @param body the message as received (stored as the event's payload)
     * @param json the same message as text, for the live streams
     */
    public record Received(RunEvent event, byte[] body, String json) {
    }

    private final Pool pool;
    private final EventBatchRepository batches;

    public EventRecorder(Pool pool, EventBatchRepository batches) {
        this.pool = pool;
        this.batches = batches;
    }

    /** Records the events in one transaction; per event, in order, what storing it did. */
    public Uni<List<Recording>> record(List<Received> events) {
        List<EventRow> rows = events.stream()
                .map(r -> new EventRow(r.event().run(), epochOf(r.event()), r.event().routingKey(), r.body()))
                .toList();
        return pool.withTransaction(connection -> batches.insertEvents(connection, rows)
                .flatMap(isNew -> apply(connection, events, isNew)));
    }

    private Uni<List<Recording>> apply(SqlConnection connection, List<Received> events, boolean[] isNew) {
        List<RunProgressed> progress = new ArrayList<>();
        List<StatusChange> statuses = new ArrayList<>();
        List<RunCompleted> completions = new ArrayList<>();
        Map<UUID, RunRef> experiments = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            if (!isNew[i]) {
                continue;
            }
            RunEvent event = events.get(i).event();
            // an event that names the owner wins over one that does not
            experiments.merge(event.run().experimentId(), event.run(), (a, b) -> a.owner() != null ? a : b);
            statuses.add(statusChange(event));
            if (event instanceof RunProgressed p) {
                progress.add(p);
            } else if (event instanceof RunCompleted c) {
                completions.add(c);
            }
        }
        if (experiments.isEmpty()) {
            return Uni.createFrom().item(Arrays.stream(new Recording[events.size()])
                    .map(r -> Recording.DUPLICATE).toList());
        }
        return batches.insertProgress(connection, progress)
                .flatMap(v -> batches.enterRowPhase(connection))
                .flatMap(v -> batches.touch(connection, experiments))
                .flatMap(v -> batches.applyStatuses(connection, statuses))
                // completions are rare: one after the other, so the first of a run wins within a batch too
                .flatMap(v -> Multi.createFrom().iterable(completions)
                        .onItem().transformToUniAndConcatenate(c -> batches.insertResult(connection, c))
                        .collect().asList())
                .map(firsts -> {
                    List<Recording> recordings = new ArrayList<>(events.size());
                    int completion = 0;
                    for (int i = 0; i < events.size(); i++) {
                        if (!isNew[i]) {
                            recordings.add(Recording.DUPLICATE);
                        } else if (events.get(i).event() instanceof RunCompleted) {
                            recordings.add(firsts.get(completion++)
                                    ? Recording.RESULT_RECORDED : Recording.RESULT_ALREADY_KNOWN);
                        } else {
                            recordings.add(Recording.RECORDED);
                        }
                    }
                    return recordings;
                });
    }

    private static StatusChange statusChange(RunEvent event) {
        return switch (event) {
            case RunStarted e -> new StatusChange(e.run(), RunState.RUNNING, e.partition(), e.startEpoch(),
                    e.epochs(), null);
            case RunProgressed e -> new StatusChange(e.run(), RunState.RUNNING, null, e.epoch(), e.epochs(), null);
            case RunCheckpointed e -> new StatusChange(e.run(), RunState.RUNNING, null, e.epoch(), null, null);
            case RunCompleted e -> new StatusChange(e.run(), RunState.SUCCEEDED, e.partition(), e.epochs(),
                    e.epochs(), null);
            case RunFailed e -> new StatusChange(e.run(), RunState.FAILED, null, null, null, e.reason());
            case RunCancelled e -> new StatusChange(e.run(), RunState.CANCELLED, null, e.epoch(), null, e.reason());
            case RunReleased e -> new StatusChange(e.run(), RunState.RUNNING, null, e.epoch(), null, null);
        };
    }

    /**
     * The event's position in its run, part of the idempotency key: an attempt emits each kind at most once per
     * epoch, and fails at most once.
     */
    static int epochOf(RunEvent event) {
        return switch (event) {
            case RunStarted e -> e.startEpoch();
            case RunProgressed e -> e.epoch();
            case RunCheckpointed e -> e.epoch();
            case RunCompleted e -> e.epochs();
            case RunFailed e -> 0;
            case RunCancelled e -> e.epoch();
            case RunReleased e -> e.epoch();
        };
    }
}
