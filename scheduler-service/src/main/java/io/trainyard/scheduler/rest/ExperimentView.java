package io.trainyard.scheduler.rest;

import io.trainyard.contracts.Visibility;
import io.trainyard.scheduler.service.ExperimentStatus;
import io.trainyard.scheduler.service.ExperimentSummary;
import io.trainyard.scheduler.service.RunCounts;
import java.time.Instant;
import java.util.UUID;

/**
 * {@code GET /experiments/{id}}.
 *
 * @param elapsedSeconds from the first run's start to the last run's end, or to now while runs are unfinished; null
 *                       before any run started
 * @param owner          who submitted it; null for experiments from before owners were recorded
 * @param visibility     private (its owner and the admins) or shared (every user may read it)
 */
public record ExperimentView(UUID id, String name, ExperimentStatus status, long runs, Counts counts,
        Instant createdAt, Instant startedAt, Instant finishedAt, Double elapsedSeconds, String owner,
        Visibility visibility) {

    public record Counts(long pending, long queued, long running, long succeeded, long failed, long cancelled) {
        static Counts of(RunCounts c) {
            return new Counts(c.pending(), c.queued(), c.running(), c.succeeded(), c.failed(), c.cancelled());
        }
    }

    static ExperimentView of(ExperimentSummary s) {
        return new ExperimentView(s.experiment().id, s.experiment().name, s.status(), s.counts().total(),
                Counts.of(s.counts()), s.experiment().createdAt, s.startedAt(), s.finishedAt(),
                elapsed(s.startedAt(), s.finishedAt()), s.experiment().owner, s.experiment().visibility);
    }

    /** Seconds from {@code start} to {@code end} (now when null), millisecond precision; null without a start. */
    static Double elapsed(Instant start, Instant end) {
        if (start == null) {
            return null;
        }
        return java.time.Duration.between(start, end == null ? Instant.now() : end).toMillis() / 1000.0;
    }
}
