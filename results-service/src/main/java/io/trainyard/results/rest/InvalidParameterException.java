package io.trainyard.results.rest;

/** A request parameter that cannot be used; answered with 400 and a problem body naming it. */
public class InvalidParameterException extends RuntimeException {

    private final String field;

    public InvalidParameterException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
