package io.trainyard.results.rest;

import io.smallrye.mutiny.Uni;
import io.trainyard.results.service.Tracking;
import io.trainyard.results.service.TrackingService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;

/** One run: its attempts, per-epoch losses, final metrics, duration and model location. */
@Path("/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {

    private final TrackingService tracking;

    public RunResource(TrackingService tracking) {
        this.tracking = tracking;
    }

    /** Everything known about the run; 404 when this service has no event of it. */
    @GET
    @Path("/{runId}")
    public Uni<Tracking.RunDetail> run(@PathParam("runId") String runId) {
        UUID id = Parameters.uuid("runId", "run id", runId);
        return tracking.run(id).map(detail -> {
            if (detail == null) {
                throw new NotFoundProblemException("no event of run " + id + " has been recorded");
            }
            return detail;
        });
    }
}
