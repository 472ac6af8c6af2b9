package io.trainyard.results.rest;

import io.smallrye.mutiny.Uni;
import io.trainyard.results.service.ExperimentResults;
import io.trainyard.results.service.ResultsService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;

/** Results of an experiment's runs and their aggregate. */
@Path("/experiments")
@Produces(MediaType.APPLICATION_JSON)
public class ExperimentResultsResource {

    private final ResultsService results;

    public ExperimentResultsResource(ResultsService results) {
        this.results = results;
    }

    /**
     * The experiment's completed runs, the aggregate of their metrics and its failed runs. An experiment this
     * service has no event of answers 200 with no runs rather than 404: results arrive asynchronously, so an
     * experiment the scheduler just accepted is not known here yet, and that is not an error.
     */
    @GET
    @Path("/{id}/results")
    public Uni<ExperimentResults> results(@PathParam("id") String id) {
        return results.results(experimentId(id));
    }

    // A UUID path parameter would turn a malformed id into a bare 404; a 400 that says what is wrong helps more.
    private static UUID experimentId(String id) {
        try {
            UUID uuid = UUID.fromString(id);
            if (uuid.toString().equalsIgnoreCase(id)) {
                return uuid;
            }
        } catch (IllegalArgumentException e) {
            // answered below
        }
        throw new InvalidParameterException("id",
                "experiment id '" + id + "' is not a UUID; expected the form 3f2c1a9e-8d4b-4c7a-9e1f-0b2d3c4e5f60");
    }
}
