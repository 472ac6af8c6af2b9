package io.trainyard.scheduler.service;

/** An upload under the id of a dataset that exists, without asking to replace it (answered as 409). */
public class DatasetExistsException extends RuntimeException {

    public DatasetExistsException(String id) {
        super("dataset '" + id + "' exists; upload with ?replace=true to replace it, or choose another id");
    }
}
