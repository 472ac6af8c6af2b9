package io.trainyard.scheduler.rest;

import io.trainyard.scheduler.RunEntity;
import io.trainyard.scheduler.RunState;
import java.time.Instant;
import java.util.UUID;

/** A run in {@code GET /experiments/{id}/runs}. */
public record RunView(UUID id, String partition, RunState state, int epoch, int epochs, int attempts,
        Integer resumedFromEpoch, String trainer, String reason, Instant startedAt, Instant finishedAt) {

    static RunView of(RunEntity run) {
        return new RunView(run.id, run.partition, run.state, run.epoch, run.epochs, run.attempts,
                run.resumedFromEpoch, run.trainer, run.reason, run.startedAt, run.finishedAt);
    }
}
