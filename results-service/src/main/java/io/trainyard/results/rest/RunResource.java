package io.trainyard.results.rest;

import io.smallrye.mutiny.Uni;
import io.trainyard.contracts.Role;
import jakarta.annotation.security.RolesAllowed;
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
@RolesAllowed({Role.ADMIN_NAME, Role.RESEARCHER_NAME, Role.VIEWER_NAME})
public class RunResource {

    private final TrackingService tracking;
    private final Callers callers;
    private final ExperimentAccess access;

    public RunResource(TrackingService tracking, Callers callers, ExperimentAccess access) {
        this.tracking = tracking;
        this.callers = callers;
        this.access = access;
    }

    /**
     * Everything known about the run; 404 when this service has no event of it, and (with the same answer) when it
     * belongs to another user's private experiment.
     */
    @GET
    @Path("/{runId}")
    public Uni<Tracking.RunDetail> run(@PathParam("runId") String runId) {
        UUID id = Parameters.uuid("runId", "run id", runId);
        return tracking.run(id).chain(detail -> {
            if (detail == null) {
                throw new NotFoundProblemException("no event of run " + id + " has been recorded");
            }
            return callers.current().chain(caller -> access.check(detail.experimentId(), caller))
                    .onFailure(NotFoundProblemException.class).transform(hidden ->
                            new NotFoundProblemException("no event of run " + id + " has been recorded"))
                    .replaceWith(detail);
        });
    }
}
