package io.trainyard.scheduler.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.trainyard.scheduler.service.Violation;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * An RFC 7807 problem detail, the body of every error answer ({@value #MEDIA_TYPE}).
 *
 * @param type       what kind of problem, a URI
 * @param title      short, the same for every problem of the type
 * @param status     the HTTP status
 * @param detail     this occurrence, for a person
 * @param violations for a bad request: each bad field and what would be accepted
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, List<Violation> violations) {

    public static final String MEDIA_TYPE = "application/problem+json";
    static final String TYPE_BASE = "https://trainyard.io/problems/";

    public static Problem invalid(String detail, List<Violation> violations) {
        return new Problem(TYPE_BASE + "invalid-request", "Invalid request", 400, detail, violations);
    }

    public static Problem notFound(String detail) {
        return new Problem(TYPE_BASE + "not-found", "Not found", 404, detail, null);
    }

    public static Problem unavailable(String detail) {
        return new Problem(TYPE_BASE + "unavailable", "Service unavailable", 503, detail, null);
    }

    public static Problem of(int status, String detail) {
        Response.Status known = Response.Status.fromStatusCode(status);
        return new Problem("about:blank", known != null ? known.getReasonPhrase() : "Error", status, detail, null);
    }

    public Response toResponse() {
        return Response.status(status).type(MEDIA_TYPE).entity(this).build();
    }
}
