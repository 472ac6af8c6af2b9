package io.trainyard.contracts;

/**
 * One epoch finished.
 *
 * @param epoch          the number of epochs done (1-based: 1 after the first epoch)
 * @param epochs         total epochs of the run
 * @param trainLoss      mean training loss of the epoch (normalised units)
 * @param validationLoss loss on the hold-out (normalised units)
 * @param epochSeconds   wall time of the epoch
 */
public record RunProgressed(RunRef run, int epoch, int epochs, double trainLoss, double validationLoss,
        double epochSeconds) implements RunEvent {
}
