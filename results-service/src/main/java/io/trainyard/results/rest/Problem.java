package io.trainyard.results.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An RFC 7807 problem detail, the body of every 4xx answer.
 *
 * @param violations for bad input, each bad field and what would be accepted
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, List<Violation> violations) {

    /** Media type of a problem body. */
    public static final String MEDIA_TYPE = "application/problem+json";

    /** One bad field and what would be accepted. */
    public record Violation(String field, String message) {
    }
}
