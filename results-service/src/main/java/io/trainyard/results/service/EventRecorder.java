package io.trainyard.results.service;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.trainyard.contracts.RunCheckpointed;
import io.trainyard.contracts.RunCompleted;
import io.trainyard.contracts.RunEvent;
import io.trainyard.contracts.RunFailed;
import io.trainyard.contracts.RunProgressed;
import io.trainyard.contracts.RunStarted;
import io.trainyard.results.RunState;
import io.trainyard.results.repository.ExperimentActivityRepository;
import io.trainyard.results.repository.RunEventRepository;
import io.trainyard.results.repository.RunResultRepository;
import io.trainyard.results.repository.RunStatusRepository;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Stores a run event and what it means for its run, exactly once: the event's unique key decides, in the same
 * transaction as its effects, so a redelivered or re-published event changes nothing.
 */
@ApplicationScoped
public class EventRecorder {

    private final RunEventRepository events;
    private final RunResultRepository results;
    private final RunStatusRepository statuses;
    private final ExperimentActivityRepository activity;

    public EventRecorder(RunEventRepository events, RunResultRepository results, RunStatusRepository statuses,
            ExperimentActivityRepository activity) {
        this.events = events;
        this.results = results;
        this.statuses = statuses;
        this.activity = activity;
    }

    /**
     * Records the event in one transaction.
     *
     * @param json the message as received (kept as the event's payload)
     */
    @WithTransaction
    public Uni<Recording> record(RunEvent event, String json) {
        return events.insertIfAbsent(event, json).flatMap(isNew -> isNew
                ? activity.touch(event.run().experimentId()).flatMap(v -> apply(event))
                : Uni.createFrom().item(Recording.DUPLICATE));
    }

    private Uni<Recording> apply(RunEvent event) {
        return switch (event) {
            case RunStarted e -> statuses.apply(e.run(), RunState.RUNNING, e.partition(), e.startEpoch(),
                    e.epochs(), null).replaceWith(Recording.RECORDED);
            case RunProgressed e -> events.insertProgress(e)
                    .flatMap(v -> statuses.apply(e.run(), RunState.RUNNING, null, e.epoch(), e.epochs(), null))
                    .replaceWith(Recording.RECORDED);
            case RunCheckpointed e -> statuses.apply(e.run(), RunState.RUNNING, null, e.epoch(), null, null)
                    .replaceWith(Recording.RECORDED);
            case RunCompleted e -> results.insertIfAbsent(e).flatMap(first -> statuses
                    .apply(e.run(), RunState.SUCCEEDED, e.partition(), e.epochs(), e.epochs(), null)
                    .replaceWith(first ? Recording.RESULT_RECORDED : Recording.RESULT_ALREADY_KNOWN));
            case RunFailed e -> statuses.apply(e.run(), RunState.FAILED, null, null, null, e.reason())
                    .replaceWith(Recording.RECORDED);
        };
    }
}
