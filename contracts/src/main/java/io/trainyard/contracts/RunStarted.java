package io.trainyard.contracts;

/**
 * An attempt took the run's lease and starts training.
 *
 * @param partition        the run's partition value (null for an unpartitioned run)
 * @param startEpoch       the first epoch this attempt trains (0 for a fresh start)
 * @param resumedFromEpoch the checkpoint's epoch this attempt resumed from, null when it started from the seed
 * @param epochs           total epochs of the run
 * @param note             anything the user should know, e.g. a damaged checkpoint that was skipped (may be null)
 * @param model            the run's model kind and resolved hyperparameters (null from writers that predate it)
 * @param data             the run's dataset and partition (null from writers that predate it)
 */
public record RunStarted(RunRef run, String partition, int startEpoch, Integer resumedFromEpoch, int epochs,
        String note, ModelSpec model, DataSpec data) implements RunEvent {

    /** Without the run's spec: what writers that predate {@code model} and {@code data} sent. */
    public RunStarted(RunRef run, String partition, int startEpoch, Integer resumedFromEpoch, int epochs,
            String note) {
        this(run, partition, startEpoch, resumedFromEpoch, epochs, note, null, null);
    }
}
