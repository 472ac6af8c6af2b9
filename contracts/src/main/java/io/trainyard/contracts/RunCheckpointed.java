package io.trainyard.contracts;

/**
 * A checkpoint was written and the run's pointer moved to it.
 *
 * @param epoch    epochs done at the checkpoint
 * @param location object key prefix of the checkpoint
 * @param bytes    size of the checkpoint's objects
 */
public record RunCheckpointed(RunRef run, int epoch, String location, long bytes) implements RunEvent {
}
