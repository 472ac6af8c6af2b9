package io.trainyard.results.rest;

import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns bad input into 400 problem+json answers. */
public class ProblemMapper {

    /** Problem type of a request with a malformed parameter. */
    public static final String INVALID_PARAMETER = "urn:trainyard:problem:invalid-parameter";

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
