package io.trainyard.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.trainyard.contracts.Messages;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Final models under {@code models/<exp>/<run>/}: {@code model-0000.params} (DJL's file name, so
 * {@code Model.load} reads the directory as is) and then {@code model.json} (spec, metrics). {@code model.json}
 * is written last and marks the model complete.
 */
public class ModelStore {

    public static final String MODEL_NAME = "model";
    static final String PARAMETERS = MODEL_NAME + "-0000.params";
    static final String METADATA = "model.json";

    private final ObjectStore store;
    private final ObjectMapper json = Messages.mapper();

    public ModelStore(ObjectStore store) {
        this.store = store;
    }

    /** Writes the parameters, then the metadata; returns the model's location. */
    public String save(UUID experimentId, UUID runId, byte[] parameters, Map<String, Object> metadata) {
        String location = Keys.model(experimentId, runId);
        store.put(location + PARAMETERS, parameters, "application/octet-stream");
        try {
            store.put(location + METADATA, json.writeValueAsBytes(metadata), "application/json");
        } catch (IOException e) {
            throw new IllegalArgumentException("model metadata is not JSON-serialisable", e);
        }
        return location;
    }

    /**
     * True when the run's model is complete. A HEAD request: a trainer asks this before every delivery and the
     * answer is nearly always no, which a GET would return as an error document for the client to parse.
     */
    public boolean exists(UUID experimentId, UUID runId) {
        return store.exists(Keys.model(experimentId, runId) + METADATA);
    }

    /** The metadata of a complete model, empty if the run has none yet. */
    public Optional<Map<String, Object>> metadata(UUID experimentId, UUID runId) {
        return store.get(Keys.model(experimentId, runId) + METADATA).map(bytes -> {
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> map = json.readValue(bytes, Map.class);
                return map;
            } catch (IOException e) {
                throw new StorageException("model.json of run " + runId + " is unreadable", e);
            }
        });
    }

    /** The parameters of a complete model. */
    public Optional<byte[]> parameters(UUID experimentId, UUID runId) {
        return store.get(Keys.model(experimentId, runId) + PARAMETERS);
    }
}
