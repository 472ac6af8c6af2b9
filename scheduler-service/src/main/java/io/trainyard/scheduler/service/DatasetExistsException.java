package io.trainyard.scheduler.service;

/** An upload under the id of a dataset that exists, without asking to replace it (answered as 409). */
public class DatasetExistsException extends RuntimeException {

    public DatasetExistsException(String id) {
        super("dataset '" + id + "' exists; upload with ?replace=true to replace it, or choose another id");
    }

    private DatasetExistsException(String message, boolean unused) {
        super(message);
    }

    /**
     * The id belongs to another user's private dataset. Ids are one namespace, so the id being taken cannot be
     * hidden; nothing else about the dataset is said.
     */
    public static DatasetExistsException taken(String id) {
        return new DatasetExistsException("dataset id '" + id + "' is taken by another user's dataset; choose "
                + "another id", true);
    }
}
