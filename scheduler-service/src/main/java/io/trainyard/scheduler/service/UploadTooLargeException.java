package io.trainyard.scheduler.service;

/** An upload larger than the configured limit (answered as 413). */
public class UploadTooLargeException extends RuntimeException {

    public UploadTooLargeException(long limit) {
        super("the upload is larger than the limit of " + limit + " bytes (trainyard.scheduler.datasets.max-bytes)");
    }
}
