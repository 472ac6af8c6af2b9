package io.trainyard.scheduler;

/**
 * Where a run is in its life. The order of the constants is the order of the lifecycle: a run only moves to a later
 * state; {@link #SUCCEEDED} and {@link #FAILED} are final, and {@link #CANCELLED} is final except that a completion
 * that was already on its way wins (the model exists, so the run did succeed).
 */
public enum RunState {
    /** Persisted; its command waits in the outbox. */
    PENDING,
    /** The broker confirmed its command. */
    QUEUED,
    /** A trainer started it (or resumed it). */
    RUNNING,
    SUCCEEDED,
    FAILED,
    /** Cancelled on request: stopped within an epoch, or never started. */
    CANCELLED;

    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    /** True when a run in this state may move to {@code next}. */
    public boolean canMoveTo(RunState next) {
        if (this == CANCELLED) {
            return next == SUCCEEDED;
        }
        return !isTerminal() && next.ordinal() > ordinal();
    }
}
