package io.trainyard.contracts;

/**
 * How a run is trained.
 *
 * @param epochs          total epochs of the run
 * @param batchSize       samples per optimizer step
 * @param learningRate    Adam's learning rate
 * @param seed            derives initialisation and every epoch's data order, so a resumed run is bit-identical
 * @param checkpointEvery        write a checkpoint every this many epochs
 * @param checkpointEverySeconds also write one at the end of an epoch when this many seconds have passed since the
 *                               last (null: by epochs only); for runs whose epochs are long or uneven
 * @param keepCheckpoints        keep the run's last checkpoints after its final model is written (null: false,
 *                               they are deleted)
 */
public record TrainingSpec(int epochs, int batchSize, double learningRate, long seed, int checkpointEvery,
        Integer checkpointEverySeconds, Boolean keepCheckpoints) {

    /** Checkpoints by epochs only, deleted at the end. */
    public TrainingSpec(int epochs, int batchSize, double learningRate, long seed, int checkpointEvery) {
        this(epochs, batchSize, learningRate, seed, checkpointEvery, null, null);
    }

    public TrainingSpec {
        if (checkpointEverySeconds != null && checkpointEverySeconds < 1) {
            throw new IllegalArgumentException("training.checkpointEverySeconds must be at least 1, was "
                    + checkpointEverySeconds);
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("training.epochs must be at least 1, was " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("training.batchSize must be at least 1, was " + batchSize);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("training.learningRate must be a positive number, was " + learningRate);
        }
        if (checkpointEvery < 1) {
            throw new IllegalArgumentException("training.checkpointEvery must be at least 1, was " + checkpointEvery);
        }
    }

    /** True when a checkpoint is due after {@code epochsDone} epochs, {@code seconds} after the last one. */
    public boolean checkpointDue(int epochsDone, double seconds) {
        return epochsDone % checkpointEvery == 0
                || (checkpointEverySeconds != null && seconds >= checkpointEverySeconds);
    }

    /** True when the run's checkpoints are kept after its final model is written. */
    public boolean keepsCheckpoints() {
        return Boolean.TRUE.equals(keepCheckpoints);
    }
}
