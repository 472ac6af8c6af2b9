package io.trainyard.results.rest;

import io.smallrye.mutiny.Uni;
import io.trainyard.contracts.Role;
import jakarta.annotation.security.RolesAllowed;
import io.trainyard.results.service.ExperimentResults;
import io.trainyard.results.service.ResultsService;
import io.trainyard.results.service.Tracking;
import io.trainyard.results.service.TrackingService;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;

/**
 * Results of an experiment's runs: aggregates and statistics, the best run, pages of results and partitions,
 * comparisons and the CSV export. An experiment this service has no event of answers with no runs rather than
 * 404: results arrive asynchronously, so an experiment the scheduler just accepted is not known here yet, and that
 * is not an error.
 */
@Path("/experiments")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Role.ADMIN_NAME, Role.RESEARCHER_NAME, Role.VIEWER_NAME})
public class ExperimentResultsResource {

    private final ResultsService results;
    private final TrackingService tracking;
    private final Callers callers;
    private final ExperimentAccess access;

    public ExperimentResultsResource(ResultsService results, TrackingService tracking, Callers callers,
            ExperimentAccess access) {
        this.results = results;
        this.tracking = tracking;
        this.callers = callers;
        this.access = access;
    }

    /** Passes when the caller may read the experiment; another user's private experiment is a 404. */
    private Uni<Void> visible(UUID experimentId) {
        return callers.current().chain(caller -> access.check(experimentId, caller));
    }

    /** The experiment's completed runs, the aggregate of their metrics and its failed runs. */
    @GET
    @Path("/{id}/results")
    public Uni<ExperimentResults> results(@PathParam("id") String id) {
        UUID experimentId = experimentId(id);
        return visible(experimentId).chain(() -> results.results(experimentId));
    }

    /**
     * The final results as CSV when the client asks for {@code text/csv}. The low quality factor keeps JSON the
     * answer for clients that accept anything.
     */
    @GET
    @Path("/{id}/results")
    @Produces(ResultsCsv.MEDIA_TYPE + ";qs=0.5")
    public Uni<String> resultsAsCsv(@PathParam("id") String id) {
        return csv(id);
    }

    /** The final results as CSV: header runId,partition,attempt,&lt;metrics...&gt;, one line per completed run. */
    @GET
    @Path("/{id}/results.csv")
    @Produces(ResultsCsv.MEDIA_TYPE)
    public Uni<String> csv(@PathParam("id") String id) {
        UUID experimentId = experimentId(id);
        return visible(experimentId).chain(() -> tracking.allResults(experimentId)).map(ResultsCsv::write);
    }

    /** Run counts and count, mean, min, max, p50, p90 and standard deviation of each final metric. */
    @GET
    @Path("/{id}/summary")
    public Uni<Tracking.ExperimentSummary> summary(@PathParam("id") String id) {
        UUID experimentId = experimentId(id);
        return visible(experimentId).chain(() -> tracking.summary(experimentId));
    }

    /** The best completed run by a metric; 404 when no completed run has a value of it. */
    @GET
    @Path("/{id}/best")
    public Uni<Tracking.BestRun> best(@PathParam("id") String id,
            @QueryParam("metric") @DefaultValue("mae") String metric,
            @QueryParam("direction") @DefaultValue("minimize") String direction) {
        UUID experimentId = experimentId(id);
        String name = Parameters.metric(metric);
        boolean minimize = Parameters.minimize(direction);
        return visible(experimentId).chain(() -> tracking.best(experimentId, name, minimize)).map(best -> {
            if (best == null) {
                throw new NotFoundProblemException("no completed run of experiment " + experimentId
                        + " has a value of metric '" + name + "'");
            }
            return best;
        });
    }

    /** One page of completed runs with their final metrics, by partition then run id. */
    @GET
    @Path("/{id}/runs")
    public Uni<Tracking.Page<ExperimentResults.RunResult>> runs(@PathParam("id") String id,
            @QueryParam("page") @DefaultValue("0") String page,
            @QueryParam("size") @DefaultValue("100") String size) {
        UUID experimentId = experimentId(id);
        int p = Parameters.page(page);
        int n = Parameters.size(size);
        return visible(experimentId).chain(() -> tracking.results(experimentId, p, n));
    }

    /** One page of the per-partition table: each partition's run count and metric mean, min and max. */
    @GET
    @Path("/{id}/partitions")
    public Uni<Tracking.Page<Tracking.PartitionResults>> partitions(@PathParam("id") String id,
            @QueryParam("page") @DefaultValue("0") String page,
            @QueryParam("size") @DefaultValue("100") String size) {
        UUID experimentId = experimentId(id);
        int p = Parameters.page(page);
        int n = Parameters.size(size);
        return visible(experimentId).chain(() -> tracking.partitions(experimentId, p, n));
    }

    /** The chosen runs side by side: {@code ?runs=<runId>,<runId>,...}. */
    @GET
    @Path("/{id}/compare")
    public Uni<Tracking.Comparison> compare(@PathParam("id") String id, @QueryParam("runs") String runs) {
        UUID experimentId = experimentId(id);
        var runIds = Parameters.runIds(runs);
        return visible(experimentId).chain(() -> tracking.compare(experimentId, runIds));
    }

    private static UUID experimentId(String id) {
        return Parameters.uuid("id", "experiment id", id);
    }
}
