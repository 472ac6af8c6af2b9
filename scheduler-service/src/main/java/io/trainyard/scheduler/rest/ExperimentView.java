package io.trainyard.scheduler.rest;

import io.trainyard.scheduler.service.ExperimentStatus;
import io.trainyard.scheduler.service.ExperimentSummary;
import io.trainyard.scheduler.service.RunCounts;
import java.time.Instant;
import java.util.UUID;

/** {@code GET /experiments/{id}}. */
public record ExperimentView(UUID id, String name, ExperimentStatus status, long runs, Counts counts,
        Instant createdAt, Instant startedAt, Instant finishedAt) {

    public record Counts(long pending, long queued, long running, long succeeded, long failed) {
        static Counts of(RunCounts c) {
            return new Counts(c.pending(), c.queued(), c.running(), c.succeeded(), c.failed());
        }
    }

    static ExperimentView of(ExperimentSummary s) {
        return new ExperimentView(s.experiment().id, s.experiment().name, s.status(), s.counts().total(),
                Counts.of(s.counts()), s.experiment().createdAt, s.startedAt(), s.finishedAt());
    }
}
