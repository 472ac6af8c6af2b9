package io.trainyard.scheduler.rest;

import io.trainyard.scheduler.service.InvalidRequestException;
import java.util.UUID;

/** Path ids: a malformed one is a bad request (400), not an unknown resource. */
final class Ids {

    private Ids() {
    }

    static UUID uuid(String field, String value) {
        try {
            if (value != null && value.length() == 36) {
                return UUID.fromString(value);
            }
        } catch (IllegalArgumentException e) {
            // answered below
        }
        throw new InvalidRequestException(field, "'" + value + "' is not a UUID (like 3f1c2b9e-5a4d-4c8e-9b7a-"
                + "0d6e1f2a3b4c)");
    }
}
