package io.trainyard.scheduler;

/**
 * Where a run is in its life. The order of the constants is the order of the lifecycle: a run only moves to a later
 * state, and {@link #SUCCEEDED} and {@link #FAILED} are final.
 */
public enum RunState {
    /** Persisted; its command waits in the outbox. */
    PENDING,
    /** The broker confirmed its command. */
    QUEUED,
    /** A trainer started it (or resumed it). */
    RUNNING,
    SUCCEEDED,
    FAILED;

    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED;
    }

    /** True when a run in this state may move to {@code next}. */
    public boolean canMoveTo(RunState next) {
        return !isTerminal() && next.ordinal() > ordinal();
    }
}
