package io.trainyard.results.rest;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;
import io.trainyard.contracts.Role;
import jakarta.annotation.security.RolesAllowed;
import io.trainyard.results.service.LiveEvents;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.UUID;

/** Live progress of an experiment as server-sent events, for the CLI and any page. */
@Path("/experiments")
@RolesAllowed({Role.ADMIN_NAME, Role.RESEARCHER_NAME, Role.VIEWER_NAME})
public class ExperimentEventsResource {

    private final LiveEvents live;
    private final Callers callers;
    private final ExperimentAccess access;

    public ExperimentEventsResource(LiveEvents live, Callers callers, ExperimentAccess access) {
        this.live = live;
        this.callers = callers;
        this.access = access;
    }

    /**
     * Progress, completions and failures of the experiment's runs as they are stored, in order. Each SSE event is
     * named by its kind (run.progress, run.completed, run.failed) and carries the run event's JSON as data. Another
     * user's private experiment is a 404 ({@link #checkVisible}); each event is checked too, for an experiment that
     * was not known yet when the stream began.
     */
    @GET
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> events(@PathParam("id") String id, @Context Sse sse) {
        UUID experimentId = Parameters.uuid("id", "experiment id", id);
        // whether the caller may see the experiment at all was checked before the stream began (checkVisible)
        return callers.current().onItem().transformToMulti(caller -> live.of(experimentId, caller))
                .map(event -> sse.newEventBuilder()
                .name(event.kind())
                .data(String.class, event.json())
                .build());
    }

    /**
     * Another user's private experiment answers 404 before the stream begins: once an event stream has started, its
     * status is sent and a failure could only cut it off. A request filter, but only for this resource's streams.
     */
    @ServerRequestFilter
    public Uni<Void> checkVisible(SimpleResourceInfo resource, UriInfo uri) {
        String id = uri.getPathParameters().getFirst("id");
        if (resource.getResourceClass() != ExperimentEventsResource.class || id == null) {
            return Uni.createFrom().voidItem();
        }
        UUID experimentId = Parameters.uuid("id", "experiment id", id);
        return callers.current().chain(caller -> access.check(experimentId, caller));
    }
}
