package io.trainyard.scheduler.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.trainyard.scheduler.service.InvalidRequestException;
import io.trainyard.scheduler.service.NotFoundException;
import io.trainyard.scheduler.service.Violation;
import io.trainyard.storage.StorageException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns every error into a problem+json answer. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response invalid(InvalidRequestException e) {
        return Problem.invalid(summary(e.violations()), e.violations()).toResponse();
    }

    /** Constraints on parameters (paging) that Quarkus validates before the method runs. */
    @ServerExceptionMapper
    public Response constraints(ConstraintViolationException e) {
        List<Violation> violations = e.getConstraintViolations().stream()
                .map(v -> new Violation(parameterName(v.getPropertyPath().toString()), v.getMessage()))
                .sorted(Comparator.comparing(Violation::field))
                .toList();
        return Problem.invalid(summary(violations), violations).toResponse();
    }

    /**
     * A field of the wrong type. Mapped on its own type because Quarkus has a built-in mapper for exactly this type
     * (answering plain JSON), and the most specific exception type decides which mapper runs.
     */
    @ServerExceptionMapper(priority = 1)
    public Response mismatchedInput(MismatchedInputException e) {
        return json(e);
    }

    /** A body that is not JSON, or does not fit the request: names the field where Jackson knows it. */
    @ServerExceptionMapper(priority = 1)
    public Response json(JsonProcessingException e) {
        // BodyLimit cut the body off while Jackson read a field's value: Jackson wraps that, it is still a 413
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof WebApplicationException web && web.getResponse().getStatus() == 413) {
                return web(web);
            }
        }
        String field = e instanceof JsonMappingException mapping ? path(mapping) : "";
        Violation violation = new Violation(field.isEmpty() ? "body" : field, e.getOriginalMessage());
        return Problem.invalid("the body does not fit this request: " + violation.field() + ": "
                + violation.message(), List.of(violation)).toResponse();
    }

    /** No token where one is needed. The token itself is never logged nor echoed. */
    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e) {
        return unauthorized("a bearer token is required: send 'Authorization: Bearer <token>' (bin/trainyard token "
                + "USER ROLE issues one for the local stack)");
    }

    /** A token that is expired, malformed, from another issuer or not signed by the trusted key. */
    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e) {
        return unauthorized("the bearer token is not valid: it is malformed, expired, from another issuer or not "
                + "signed by trainyard's key; get a new one");
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        String detail = e.getMessage() == null || e.getMessage().isBlank()
                ? "your role may not do this: reading needs viewer, researcher or admin; submitting, uploading and "
                        + "cancelling need researcher or admin"
                : e.getMessage();
        return new Problem(Problem.TYPE_BASE + "forbidden", "Forbidden", 403, detail, null).toResponse();
    }

    private static Response unauthorized(String detail) {
        return Response.fromResponse(new Problem(Problem.TYPE_BASE + "unauthorized", "Unauthorized", 401, detail,
                null).toResponse()).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return Problem.notFound(e.getMessage()).toResponse();
    }

    @ServerExceptionMapper
    public Response storage(StorageException e) {
        LOG.warnf("Storage is unavailable: %s", e.getMessage());
        return Problem.unavailable("storage is unavailable, try again later: " + e.getMessage()).toResponse();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        // Quarkus reports a body that is not JSON as a 400 caused by the parser's exception.
        if (e.getCause() instanceof JsonProcessingException json) {
            return json(json);
        }
        int status = e.getResponse().getStatus();
        return Problem.of(status, e.getMessage()).toResponse();
    }

    /** Anything else is our fault: logged with its stack, answered without internals. */
    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.errorf(e, "Request failed");
        return Problem.of(500, "the request failed on the server; the log has the details").toResponse();
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    /** {@code runs.size} for the parameter {@code size} of method {@code runs}: the client knows the parameter. */
    private static String parameterName(String path) {
        int dot = path.indexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }

    private static String summary(List<Violation> violations) {
        return violations.stream().map(v -> v.field() + ": " + v.message()).collect(Collectors.joining("; "));
    }
}
