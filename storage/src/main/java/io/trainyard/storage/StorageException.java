package io.trainyard.storage;

/** S3 could not be reached or answered with an error; usually transient, so callers retry or redeliver. */
public class StorageException extends RuntimeException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
