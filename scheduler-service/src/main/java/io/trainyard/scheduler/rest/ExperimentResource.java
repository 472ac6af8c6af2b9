package io.trainyard.scheduler.rest;

import io.quarkus.panache.common.Page;
import io.smallrye.mutiny.Uni;
import io.trainyard.scheduler.service.ExperimentService;
import io.trainyard.scheduler.service.ExperimentSpec;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/experiments")
@Tag(name = "Experiments")
@Produces(MediaType.APPLICATION_JSON)
public class ExperimentResource {

    private final ExperimentService experiments;

    public ExperimentResource(ExperimentService experiments) {
        this.experiments = experiments;
    }

    /** Answer of a submission. */
    public record Created(UUID id, int runs) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Submit an experiment",
            description = "Checks the spec, fans it out into one run per partition and queues a training command "
                    + "per run. Every problem of the spec is reported at once; an unknown dataset is a 400 too, "
                    + "naming the field 'dataset'.")
    @APIResponse(responseCode = "201", description = "Accepted; Location is the experiment",
            content = @Content(schema = @Schema(implementation = Created.class)))
    @APIResponse(responseCode = "400", description = "Invalid spec: each bad field and what would be accepted",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> submit(ExperimentSpec spec) {
        return experiments.submit(spec).map(submitted -> Response
                .created(URI.create("/experiments/" + submitted.id()))
                .entity(new Created(submitted.id(), submitted.runs()))
                .build());
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "An experiment's status and how many of its runs are in each state")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ExperimentView.class)))
    @APIResponse(responseCode = "404", description = "No such experiment",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<ExperimentView> get(@PathParam("id") String id) {
        return experiments.summary(Ids.uuid("id", id)).map(ExperimentView::of);
    }

    @GET
    @Path("/{id}/runs")
    @Operation(summary = "An experiment's runs, in partition order")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = RunView[].class)))
    @APIResponse(responseCode = "404", description = "No such experiment",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<List<RunView>> runs(@PathParam("id") String id,
            @QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("1000") @Min(1) @Max(10_000) int size) {
        return experiments.runs(Ids.uuid("id", id), Page.of(page, size))
                .map(runs -> runs.stream().map(RunView::of).toList());
    }
}
