package io.trainyard.results.rest;

import io.trainyard.models.InvalidInputException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import java.util.List;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns bad input into 400 and unknown things into 404 problem+json answers. */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    /** Problem type of a request with a malformed parameter. */
    public static final String INVALID_PARAMETER = "urn:trainyard:problem:invalid-parameter";

    /** Problem type of a prediction request whose input does not fit the model. */
    public static final String INVALID_INPUT = "urn:trainyard:problem:invalid-model-input";

    /** Problem type of a request for something this service has no record of. */
    public static final String NOT_FOUND = "urn:trainyard:problem:not-found";

    @ServerExceptionMapper
    public RestResponse<Problem> notFound(NotFoundProblemException e) {
        Problem problem = new Problem(NOT_FOUND, "Not found", Response.Status.NOT_FOUND.getStatusCode(),
                e.getMessage(), null);
        return RestResponse.ResponseBuilder.create(RestResponse.Status.NOT_FOUND, problem)
                .type(Problem.MEDIA_TYPE)
                .build();
    }

    @ServerExceptionMapper
    public RestResponse<Problem> invalidInput(InvalidInputException e) {
        Problem problem = new Problem(INVALID_INPUT, "Input does not fit the model",
                Response.Status.BAD_REQUEST.getStatusCode(), e.getMessage(),
                List.of(new Problem.Violation(e.field(), e.getMessage())));
        return RestResponse.ResponseBuilder.create(RestResponse.Status.BAD_REQUEST, problem)
                .type(Problem.MEDIA_TYPE)
                .build();
    }

    @ServerExceptionMapper
    public RestResponse<Problem> invalidParameter(InvalidParameterException e) {
        Problem problem = new Problem(INVALID_PARAMETER, "Invalid request parameter",
                Response.Status.BAD_REQUEST.getStatusCode(), e.getMessage(),
                List.of(new Problem.Violation(e.field(), e.getMessage())));
        return RestResponse.ResponseBuilder.create(RestResponse.Status.BAD_REQUEST, problem)
                .type(Problem.MEDIA_TYPE)
                .build();
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
                ? "your role may not do this: reading needs viewer, researcher or admin" : e.getMessage();
        return problem(403, "urn:trainyard:problem:forbidden", "Forbidden", detail);
    }

    /** What JAX-RS itself refuses: no such path (404), method (405), media type (415), acceptable answer (406). */
    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        Response.Status known = Response.Status.fromStatusCode(status);
        return problem(status, "about:blank", known != null ? known.getReasonPhrase() : "Error", e.getMessage());
    }

    /** Anything else is this service's fault: logged with its stack, answered without internals. */
    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.errorf(e, "Request failed");
        return problem(500, "about:blank", "Internal Server Error",
                "the request failed on the server; the log has the details");
    }

    private static Response unauthorized(String detail) {
        return Response.fromResponse(problem(401, "urn:trainyard:problem:unauthorized", "Unauthorized", detail))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    private static Response problem(int status, String type, String title, String detail) {
        return Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(new Problem(type, title, status, detail, null)).build();
    }
}
