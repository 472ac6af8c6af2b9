package io.trainyard.storage;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Object keys of the storage layout in DESIGN.md. User-supplied names pass {@link #datasetId(String)} before
 * they become part of a key, so no input can reach outside its prefix.
 */
public final class Keys {

    /** Dataset ids: lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64. */
    public static final Pattern DATASET_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private Keys() {
    }

    /** Returns {@code id} when it is a valid dataset id, else throws with what would be accepted. */
    public static String datasetId(String id) {
        if (id == null || !DATASET_ID.matcher(id).matches() || id.contains("..")) {
            throw new IllegalArgumentException("dataset id '" + id + "' is not valid: use 1 to 64 lower-case "
                    + "letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return id;
    }

    public static String datasetCsv(String datasetId) {
        return "datasets/" + datasetId(datasetId) + "/data.csv";
    }

    public static String datasetMeta(String datasetId) {
        return "datasets/" + datasetId(datasetId) + "/meta.json";
    }

    public static String checkpoints(UUID experimentId, UUID runId) {
        return "checkpoints/" + experimentId + "/" + runId + "/";
    }

    public static String checkpoint(UUID experimentId, UUID runId, Position position) {
        return checkpoints(experimentId, runId) + position.directory() + "/";
    }

    public static String latestCheckpoint(UUID experimentId, UUID runId) {
        return checkpoints(experimentId, runId) + "latest.json";
    }

    public static String model(UUID experimentId, UUID runId) {
        return "models/" + experimentId + "/" + runId + "/";
    }

    /** Markers of an experiment's cancellations: {@code all.json} for the whole experiment, {@code <runId>.json}. */
    public static String cancellations(UUID experimentId) {
        return "cancellations/" + experimentId + "/";
    }
}
