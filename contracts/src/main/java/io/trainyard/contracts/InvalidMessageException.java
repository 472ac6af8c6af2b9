package io.trainyard.contracts;

/** A message that cannot be used: not JSON, a missing or wrong field, or a schema version this build does not know. */
public class InvalidMessageException extends RuntimeException {
    public InvalidMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
