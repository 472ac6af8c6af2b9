package io.trainyard.contracts;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * Command: train (or continue training) one run. A delivery of it is a lease on the run.
 *
 * @param schemaVersion    {@link Messages#SCHEMA_VERSION} of the writer
 * @param experimentId     the experiment the run belongs to
 * @param runId            the run
 * @param pool             trainer pool, routing key {@code run.<pool>}
 * @param data             what to train on
 * @param model            what to train
 * @param training         how to train
 * @param previousAttempts attempts that ended before this command was published (0 for a fresh run;
 *                         a continuation carries the attempt that published it). A delivery's attempt number is
 *                         {@code previousAttempts + x-delivery-count + 1}, so attempts only grow.
 * @param issuedAt         when the command was written
 * @param owner            the user who submitted the experiment; null in commands written before owners existed.
 *                         The trainer copies it (and {@code visibility}) into every event of the run, so that the
 *                         results service applies the scheduler's visibility rules without asking it
 * @param visibility       the experiment's visibility; null where {@code owner} is
 */
public record TrainRun(int schemaVersion, UUID experimentId, UUID runId, String pool, DataSpec data, ModelSpec model,
        TrainingSpec training, int previousAttempts, Instant issuedAt, String owner, Visibility visibility) {
    public TrainRun {
        Objects.requireNonNull(experimentId, "experimentId");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(training, "training");
        if (previousAttempts < 0) {
            throw new IllegalArgumentException("previousAttempts must not be negative");
        }
        if (owner != null && !Caller.USER.matcher(owner).matches()) {
            throw new IllegalArgumentException("owner is not a valid user name");
        }
    }

    /** A command without an owner, as written before owners existed. */
    public TrainRun(int schemaVersion, UUID experimentId, UUID runId, String pool, DataSpec data, ModelSpec model,
            TrainingSpec training, int previousAttempts, Instant issuedAt) {
        this(schemaVersion, experimentId, runId, pool, data, model, training, previousAttempts, issuedAt, null, null);
    }

    /** The command that continues this run after {@code attempt} ended: same run, same owner. */
    public TrainRun continuation(int attempt, Instant at) {
        return new TrainRun(Messages.SCHEMA_VERSION, experimentId, runId, pool, data, model, training, attempt, at,
                owner, visibility);
    }

    /** The attempt number of a delivery that the broker has redelivered {@code deliveryCount} times. */
    public int attemptFor(long deliveryCount) {
        return Math.toIntExact(previousAttempts + deliveryCount + 1);
    }
}
