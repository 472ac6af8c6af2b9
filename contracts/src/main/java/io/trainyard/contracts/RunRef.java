package io.trainyard.contracts;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * Identifies who says what about which run, and in which order.
 *
 * <p>Consumers order a run's events by ({@code attempt}, {@code sequence}) and ignore anything not newer
 * than what they already have: events can arrive twice, late or out of order.
 *
 * @param experimentId the experiment
 * @param runId        the run
 * @param attempt      the attempt (delivery) that produced the event; a stale attempt's events are ignored
 * @param sequence     increases with every event of one attempt
 * @param trainer      the trainer replica that produced the event
 * @param at           when the event happened
 */
public record RunRef(UUID experimentId, UUID runId, int attempt, long sequence, String trainer, Instant at) {
    public RunRef {
        Objects.requireNonNull(experimentId, "run.experimentId");
        Objects.requireNonNull(runId, "run.runId");
        Objects.requireNonNull(at, "run.at");
        if (attempt < 1) {
            throw new IllegalArgumentException("run.attempt starts at 1");
        }
    }

    /** True when this event comes after {@code (otherAttempt, otherSequence)}. */
    public boolean isNewerThan(int otherAttempt, long otherSequence) {
        return attempt > otherAttempt || (attempt == otherAttempt && sequence > otherSequence);
    }
}
