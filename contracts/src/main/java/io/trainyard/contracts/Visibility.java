package io.trainyard.contracts;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Who besides its owner (and the admins) may read an experiment or a dataset: nobody ({@code private}, the default)
 * or every signed-in user ({@code shared}). Changing or cancelling it stays with the owner and the admins.
 */
public enum Visibility {
    PRIVATE,
    SHARED;

    /** The name in JSON, YAML and query parameters. */
    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Reads a visibility from a message or a stored file. An unknown value (from a newer writer) reads as
     * {@link #PRIVATE}: a reader that does not understand a visibility must not widen it.
     */
    @JsonCreator
    public static Visibility fromWire(String value) {
        return value != null && value.equalsIgnoreCase("shared") ? SHARED : PRIVATE;
    }

    /** Parses user input strictly; null or blank is the default, {@link #PRIVATE}. */
    public static Visibility parse(String field, String value) {
        if (value == null || value.isBlank()) {
            return PRIVATE;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "private" -> PRIVATE;
            case "shared" -> SHARED;
            default -> throw new IllegalArgumentException(field + " '" + value
                    + "' is neither 'private' nor 'shared'");
        };
    }
}
