package io.trainyard.contracts;

/**
 * An attempt took the run's lease and starts training.
 *
 * @param partition        the run's partition value (null for an unpartitioned run)
 * @param startEpoch       the first epoch this attempt trains (0 for a fresh start)
 * @param resumedFromEpoch the checkpoint's epoch this attempt resumed from, null when it started from the seed
 * @param epochs           total epochs of the run
 * @param note             anything the user should know, e.g. a damaged checkpoint that was skipped (may be null)
 */
public record RunStarted(RunRef run, String partition, int startEpoch, Integer resumedFromEpoch, int epochs,
        String note) implements RunEvent {
}
