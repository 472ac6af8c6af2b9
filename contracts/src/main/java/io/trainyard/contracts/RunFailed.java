package io.trainyard.contracts;

/**
 * The run cannot succeed: a bad spec, a bad dataset, or retries used up.
 *
 * @param reason what went wrong, written for the person who submitted the experiment
 */
public record RunFailed(RunRef run, String reason) implements RunEvent {
}
