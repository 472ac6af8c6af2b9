package io.trainyard.contracts;

/**
 * The attempt stopped at a checkpoint and handed the run back to the queue as a continuation command: the trainer
 * was draining (SIGTERM, scale-down) or the delivery's time budget ran out. The next attempt resumes at {@code epoch}.
 *
 * @param epoch  epochs done at the checkpoint the next attempt resumes from
 * @param reason {@code drain} or {@code segment}
 */
public record RunReleased(RunRef run, int epoch, String reason) implements RunEvent {

    public static final String DRAIN = "drain";
    public static final String SEGMENT = "segment";
}
