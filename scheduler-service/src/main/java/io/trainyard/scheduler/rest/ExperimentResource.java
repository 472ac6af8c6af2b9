package io.trainyard.scheduler.rest;

import io.smallrye.mutiny.Uni;
import io.trainyard.contracts.Role;
import jakarta.annotation.security.RolesAllowed;
import io.trainyard.scheduler.service.ExperimentService;
import io.trainyard.scheduler.service.ExperimentSpec;
import io.trainyard.scheduler.service.ExperimentStatus;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
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
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/experiments")
@Tag(name = "Experiments")
@Produces(MediaType.APPLICATION_JSON)
@APIResponse(responseCode = "401", description = "No bearer token, or one that is expired or not trainyard's",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "403", description = "The token's role may not do this",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class ExperimentResource {

    static final int MAX_EXPERIMENTS_PAGE = 100;
    static final int MAX_RUNS_PAGE = 10_000;

    private final ExperimentService experiments;
    private final Callers callers;

    public ExperimentResource(ExperimentService experiments, Callers callers) {
        this.experiments = experiments;
        this.callers = callers;
    }

    /** Answer of a submission. */
    public record Created(UUID id, int runs) {
    }

    @POST
    @Consumes({MediaType.APPLICATION_JSON, YamlSpecReader.MEDIA_TYPE})
    @Operation(summary = "Submit an experiment (JSON or YAML)",
            description = "Checks the spec, fans it out into one run per partition and search point and queues a "
                    + "training command per run. Every problem of the spec is reported at once; an unknown dataset "
                    + "is a 400 too, naming the field 'dataset'. A spec that would make more runs than "
                    + "trainyard.scheduler.max-runs-per-experiment is refused with the count it would have made.")
    @APIResponse(responseCode = "201", description = "Accepted; Location is the experiment",
            content = @Content(schema = @Schema(implementation = Created.class)))
    @APIResponse(responseCode = "400", description = "Invalid spec: each bad field and what would be accepted",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @RolesAllowed({Role.ADMIN_NAME, Role.RESEARCHER_NAME})
    public Uni<Response> submit(ExperimentSpec spec) {
        return callers.current().chain(caller -> experiments.submit(spec, caller)).map(submitted -> Response
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
    @RolesAllowed({Role.ADMIN_NAME, Role.RESEARCHER_NAME, Role.VIEWER_NAME})
    public Uni<ExperimentView> get(@PathParam("id") String id) {
        UUID experimentId = Ids.uuid("id", id);
        return callers.current().chain(caller -> experiments.summary(experimentId, caller)).map(ExperimentView::of);
    }

    /** A page of experiments, newest first. */
    public record ExperimentPage(int page, int size, long total, List<ExperimentView> items) {
    }

    @GET
    @Operation(summary = "Experiments, newest first, filtered by status and name")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ExperimentPage.class)))
    @APIResponse(responseCode = "400", description = "A bad page, size or status",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @RolesAllowed({Role.ADMIN_NAME, Role.RESEARCHER_NAME, Role.VIEWER_NAME})
    public Uni<ExperimentPage> list(
            @Parameter(description = "0-based page", schema = @Schema(type = SchemaType.INTEGER, minimum = "0"))
            @QueryParam("page") String page,
            @Parameter(description = "experiments per page, 1 to " + MAX_EXPERIMENTS_PAGE + ", default 20",
                    schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "100"))
            @QueryParam("size") String size,
            @Parameter(description = "only experiments in this status",
                    schema = @Schema(enumeration = {"queued", "running", "succeeded", "partially_failed",
                        "failed", "cancelled"}))
            @QueryParam("status") String status,
            @Parameter(description = "only experiments whose name contains this, ignoring case")
            @QueryParam("name") String name) {
        Paging paging = Paging.of(page, size, 20, MAX_EXPERIMENTS_PAGE);
        ExperimentStatus wanted = ExperimentStatus.parse("status", status);
        return callers.current()
                .chain(caller -> experiments.list(wanted, name, paging.page(), paging.size(), caller))
                .map(listed -> new ExperimentPage(paging.page(), paging.size(), listed.total(),
                        listed.items().stream().map(ExperimentView::of).toList()));
    }

    @GET
    @Path("/{id}/runs")
    @Operation(summary = "An experiment's runs, in partition order, then search order")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = RunView[].class)))
    @APIResponse(responseCode = "400", description = "A malformed id, or a bad page or size",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such experiment",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @RolesAllowed({Role.ADMIN_NAME, Role.RESEARCHER_NAME, Role.VIEWER_NAME})
    public Uni<List<RunView>> runs(@PathParam("id") String id,
            @Parameter(description = "0-based page", schema = @Schema(type = SchemaType.INTEGER, minimum = "0"))
            @QueryParam("page") String page,
            @Parameter(description = "runs per page, 1 to " + MAX_RUNS_PAGE + ", default 1000",
                    schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "10000"))
            @QueryParam("size") String size) {
        UUID experimentId = Ids.uuid("id", id);
        Paging paging = Paging.of(page, size, 1000, MAX_RUNS_PAGE);
        return callers.current().chain(caller -> experiments.runs(experimentId, paging.toPage(), caller))
                .map(runs -> runs.stream().map(RunView::of).toList());
    }

    @GET
    @Path("/{id}/runs/{runId}")
    @Operation(summary = "One run with its attempts")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = RunView.class)))
    @APIResponse(responseCode = "404", description = "No such experiment, or no such run in it",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @RolesAllowed({Role.ADMIN_NAME, Role.RESEARCHER_NAME, Role.VIEWER_NAME})
    public Uni<RunView> run(@PathParam("id") String id, @PathParam("runId") String runId) {
        UUID experimentId = Ids.uuid("id", id);
        UUID run = Ids.uuid("runId", runId);
        return callers.current().chain(caller -> experiments.run(experimentId, run, caller)).map(RunView::of);
    }

    /** Optional body of a cancel request. */
    public record CancelRequest(@Size(max = 500, message = "at most 500 characters") String reason) {
    }

    @POST
    @Path("/{id}/cancel")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Cancel every unfinished run of an experiment",
            description = "Queued runs never train; running ones stop within one epoch. Finished runs keep their "
                    + "state. Cancelling again is harmless.")
    @APIResponse(responseCode = "202", description = "Cancelled; the experiment as it is now",
            content = @Content(schema = @Schema(implementation = ExperimentView.class)))
    @APIResponse(responseCode = "404", description = "No such experiment",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @RolesAllowed({Role.ADMIN_NAME, Role.RESEARCHER_NAME})
    public Uni<Response> cancel(@PathParam("id") String id, @Valid CancelRequest request) {
        return cancel(Ids.uuid("id", id), null, request);
    }

    @POST
    @Path("/{id}/runs/{runId}/cancel")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Cancel one run of an experiment",
            description = "As for the experiment, for one run: queued, it never trains; running, it stops within "
                    + "one epoch; finished, nothing changes.")
    @APIResponse(responseCode = "202", description = "Cancelled; the experiment as it is now",
            content = @Content(schema = @Schema(implementation = ExperimentView.class)))
    @APIResponse(responseCode = "404", description = "No such experiment, or no such run in it",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @RolesAllowed({Role.ADMIN_NAME, Role.RESEARCHER_NAME})
    public Uni<Response> cancelRun(@PathParam("id") String id, @PathParam("runId") String runId,
            @Valid CancelRequest request) {
        return cancel(Ids.uuid("id", id), Ids.uuid("runId", runId), request);
    }

    private Uni<Response> cancel(UUID experimentId, UUID runId, CancelRequest request) {
        String reason = request == null || request.reason() == null || request.reason().isBlank()
                ? "cancelled by request" : "cancelled: " + request.reason().strip();
        return callers.current().chain(caller -> experiments.cancel(experimentId, runId, reason, caller))
                .map(summary -> Response.accepted(ExperimentView.of(summary)).build());
    }
}
