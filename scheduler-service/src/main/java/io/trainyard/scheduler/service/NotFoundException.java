package io.trainyard.scheduler.service;

/** The thing a request names does not exist (answered as 404). */
public class NotFoundException extends RuntimeException {

    public NotFoundException(String message) {
        super(message);
    }
}
