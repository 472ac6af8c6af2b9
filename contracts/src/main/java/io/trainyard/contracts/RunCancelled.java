package io.trainyard.contracts;

/**
 * The run was stopped because someone cancelled it, or a trainer refused to start it for that reason. Final: a
 * cancelled run is never trained again.
 *
 * @param epoch  epochs done when it stopped (0 when it never started)
 * @param reason who or what cancelled it, as the cancel request said
 */
public record RunCancelled(RunRef run, int epoch, String reason) implements RunEvent {
}
