package io.trainyard.results.rest;

import io.smallrye.mutiny.Uni;
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
public class ExperimentResultsResource {

    private final ResultsService results;
    private final TrackingService tracking;

    public ExperimentResultsResource(ResultsService results, TrackingService tracking) {
        this.results = results;
        this.tracking = tracking;
    }

    /** The experiment's completed runs, the aggregate of their metrics and its failed runs. */
    @GET
    @Path("/{id}/results")
    public Uni<ExperimentResults> results(@PathParam("id") String id) {
        return results.results(experimentId(id));
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
        return tracking.allResults(experimentId(id)).map(ResultsCsv::write);
    }

    /** Run counts and count, mean, min, max, p50, p90 and standard deviation of each final metric. */
    @GET
    @Path("/{id}/summary")
    public Uni<Tracking.ExperimentSummary> summary(@PathParam("id") String id) {
        return tracking.summary(experimentId(id));
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
        return tracking.best(experimentId, name, minimize).map(best -> {
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
        return tracking.results(experimentId(id), Parameters.page(page), Parameters.size(size));
    }

    /** One page of the per-partition table: each partition's run count and metric mean, min and max. */
    @GET
    @Path("/{id}/partitions")
    public Uni<Tracking.Page<Tracking.PartitionResults>> partitions(@PathParam("id") String id,
            @QueryParam("page") @DefaultValue("0") String page,
            @QueryParam("size") @DefaultValue("100") String size) {
        return tracking.partitions(experimentId(id), Parameters.page(page), Parameters.size(size));
    }

    /** The chosen runs side by side: {@code ?runs=<runId>,<runId>,...}. */
    @GET
    @Path("/{id}/compare")
    public Uni<Tracking.Comparison> compare(@PathParam("id") String id, @QueryParam("runs") String runs) {
        return tracking.compare(experimentId(id), Parameters.runIds(runs));
    }

    private static UUID experimentId(String id) {
        return Parameters.uuid("id", "experiment id", id);
    }
}
