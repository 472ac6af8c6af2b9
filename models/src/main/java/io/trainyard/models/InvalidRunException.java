package io.trainyard.models;

/**
 * The run can never succeed as specified (unknown model kind, bad hyperparameters, missing or malformed dataset):
 * it fails at once with this message, which is written for the person who submitted it.
 */
public class InvalidRunException extends RuntimeException {
    public InvalidRunException(String message) {
        super(message);
    }
}
