package io.trainyard.contracts;

/**
 * How a run is trained.
 *
 * @param epochs          total epochs of the run
 * @param batchSize       samples per optimizer step
 * @param learningRate    Adam's learning rate
 * @param seed            derives initialisation and every epoch's data order, so a resumed run is bit-identical
 * @param checkpointEvery write a checkpoint every this many epochs
 */
public record TrainingSpec(int epochs, int batchSize, double learningRate, long seed, int checkpointEvery) {
    public TrainingSpec {
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
}
