package io.trainyard.models;

import java.util.Map;

/** A stored model loaded into memory (native memory: close it), answering predictions; safe for concurrent use. */
public interface LoadedModel extends AutoCloseable {

    /**
     * Predictions for {@code input}, a JSON object whose shape the kind defines (e.g. recent values for the
     * forecaster, rows of feature values for the tabular kind).
     *
     * @throws InvalidInputException when the input does not fit the model, naming the field and what it needs
     * @throws ClosedModelException  when the model was closed meanwhile (load it again)
     */
    Map<String, Object> predict(Map<String, Object> input);

    @Override
    void close();

    /** The model was closed (e.g. evicted from a cache) while a caller still held it. */
    class ClosedModelException extends IllegalStateException {
        public ClosedModelException() {
            super("the model was closed");
        }
    }
}
