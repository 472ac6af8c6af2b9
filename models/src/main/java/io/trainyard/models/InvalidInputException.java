package io.trainyard.models;

/** Prediction input that does not fit the model; the message says what the model needs, for the caller. */
public class InvalidInputException extends RuntimeException {

    private final String field;

    public InvalidInputException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The offending field of the input, e.g. {@code rows[3].price}. */
    public String field() {
        return field;
    }
}
