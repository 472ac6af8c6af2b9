package io.trainyard.trainer.training;

import io.trainyard.contracts.TrainRun;
import java.io.InputStream;

/** A kind of model the trainer can train. A new kind is one more class implementing this, as a CDI bean. */
public interface ModelKind {

    /** The name used in specs, e.g. {@code mlp-forecaster}. */
    String name();

    /**
     * Reads the run's data and hyperparameters and prepares training.
     *
     * @param csv the dataset's CSV
     * @throws InvalidRunException when data or hyperparameters can never work
     */
    PreparedRun prepare(TrainRun command, InputStream csv);
}
