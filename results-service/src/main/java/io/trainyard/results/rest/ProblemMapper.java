package io.trainyard.results.rest;

import io.trainyard.models.InvalidInputException;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns bad input into 400 and unknown things into 404 problem+json answers. */
public class ProblemMapper {

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
}
