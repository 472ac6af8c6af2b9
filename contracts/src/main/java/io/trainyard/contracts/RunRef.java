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
 * @param owner        who submitted the experiment, copied from the command; null when the command had none
 * @param visibility   the experiment's visibility, copied from the command; null where {@code owner} is
 */
public record RunRef(UUID experimentId, UUID runId, int attempt, long sequence, String trainer, Instant at,
        String owner, Visibility visibility) {
    public RunRef {
        Objects.requireNonNull(experimentId, "run.experimentId");
        Objects.requireNonNull(runId, "run.runId");
        Objects.requireNonNull(at, "run.at");
        if (attempt < 1) {
            throw new IllegalArgumentException("run.attempt starts at 1");
        }
        if (owner != null && !Caller.USER.matcher(owner).matches()) {
            throw new IllegalArgumentException("run.owner is not a valid user name");
        }
    }

    /** A reference without an owner (events of commands written before owners existed). */
    public RunRef(UUID experimentId, UUID runId, int attempt, long sequence, String trainer, Instant at) {
        this(experimentId, runId, attempt, sequence, trainer, at, null, null);
    }

    /** True when this event comes after {@code (otherAttempt, otherSequence)}. */
    public boolean isNewerThan(int otherAttempt, long otherSequence) {
        return attempt > otherAttempt || (attempt == otherAttempt && sequence > otherSequence);
    }
}
