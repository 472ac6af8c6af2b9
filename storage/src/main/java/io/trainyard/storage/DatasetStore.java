package io.trainyard.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.trainyard.contracts.Messages;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Datasets under {@code datasets/<id>/}: {@code data.csv}, then {@code meta.json}, which marks it complete. */
public class DatasetStore {

    private final ObjectStore store;
    private final ObjectMapper json = Messages.mapper();

    public DatasetStore(ObjectStore store) {
        this.store = store;
    }

    /** Stores a CSV held in memory (small and generated data sets) and its metadata. */
    public void save(DatasetMeta meta, String csv) {
        byte[] bytes = csv.getBytes(StandardCharsets.UTF_8);
        store.put(Keys.datasetCsv(meta.id()), bytes, "text/csv");
        saveMeta(meta);
    }

    /** Streams a CSV of unknown length to the store; call {@link #saveMeta} once it is known to be valid. */
    public void saveCsv(String datasetId, InputStream csv) {
        store.put(Keys.datasetCsv(datasetId), csv, -1, "text/csv");
    }

    public void saveMeta(DatasetMeta meta) {
        try {
            store.put(Keys.datasetMeta(meta.id()), json.writeValueAsBytes(meta), "application/json");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The metadata of a complete dataset, empty when there is no such dataset. */
    public Optional<DatasetMeta> meta(String datasetId) {
        return store.get(Keys.datasetMeta(datasetId)).map(bytes -> {
            try {
                return json.readValue(bytes, DatasetMeta.class);
            } catch (IOException e) {
                throw new StorageException("meta.json of dataset " + datasetId + " is unreadable", e);
            }
        });
    }

    /** Opens the dataset's CSV; the caller closes it. */
    public Optional<InputStream> openCsv(String datasetId) {
        return store.open(Keys.datasetCsv(datasetId));
    }
}
