package io.trainyard.models;

import io.trainyard.contracts.TrainRun;
import java.io.InputStream;
import java.util.Map;

/**
 * A kind of model: how a run's data and hyperparameters become a model to train, and how a stored model is loaded
 * to answer predictions. A new kind is one more class implementing this, as a CDI bean.
 */
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

    /**
     * False for a kind that never reads its dataset: the trainer then does not fetch it and {@link #prepare} gets an
     * empty stream.
     */
    default boolean readsDataset() {
        return true;
    }

    /**
     * Loads a model this kind trained, to predict with it. The caller closes it.
     *
     * @param metadata   the run's {@code model.json}; {@code metadata.model} is what {@link PreparedRun#describe()}
     *                   returned
     * @param parameters the run's {@code model-0000.params}, DJL's model file
     */
    LoadedModel load(Map<String, Object> metadata, byte[] parameters);
}
