package io.trainyard.results.rest;

import io.smallrye.mutiny.Multi;
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
public class ExperimentEventsResource {

    private final LiveEvents live;

    public ExperimentEventsResource(LiveEvents live) {
        this.live = live;
    }

    /**
     * Progress, completions and failures of the experiment's runs as they are stored, in order. Each SSE event is
     * named by its kind (run.progress, run.completed, run.failed) and carries the run event's JSON as data.
     */
    @GET
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> events(@PathParam("id") String id, @Context Sse sse) {
        UUID experimentId = Parameters.uuid("id", "experiment id", id);
        return live.of(experimentId).map(event -> sse.newEventBuilder()
                .name(event.kind())
                .data(String.class, event.json())
                .build());
    }
}
