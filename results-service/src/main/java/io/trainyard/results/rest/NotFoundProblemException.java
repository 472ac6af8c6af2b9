package io.trainyard.results.rest;

/** Nothing is known of what the request names; answered with 404 and a problem body that says what is missing. */
public class NotFoundProblemException extends RuntimeException {

    public NotFoundProblemException(String message) {
        super(message);
    }
}
