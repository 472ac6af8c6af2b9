package io.trainyard.results.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.common.annotation.Blocking;
import io.trainyard.contracts.Role;
import jakarta.annotation.security.RolesAllowed;
import java.time.Duration;
import io.trainyard.results.service.ModelService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import java.util.UUID;

/**
 * A run's final model: its metadata ({@code model.json}) and predictions from the stored model. Blocking: the model
 * is read from S3 and run on DJL, on a worker thread.
 */
@Path("/experiments/{id}/runs/{runId}")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
@RolesAllowed({Role.ADMIN_NAME, Role.RESEARCHER_NAME, Role.VIEWER_NAME})
public class ModelResource {

    private final ModelService models;
    private final ObjectMapper json;
    private final Callers callers;
    private final ExperimentAccess access;

    public ModelResource(ModelService models, ObjectMapper json, Callers callers, ExperimentAccess access) {
        this.models = models;
        this.json = json;
        this.callers = callers;
        this.access = access;
    }

    /** Another user's private experiment has no models to show: 404. On the worker thread, so it may wait. */
    private void checkVisible(UUID experimentId) {
        access.check(experimentId, callers.currentBlocking()).await().atMost(Duration.ofSeconds(30));
    }

    /** The run's {@code model.json}: kind, hyperparameters, data, normalisation, metrics; 404 when none. */
    @GET
    @Path("/model")
    public Map<String, Object> model(@PathParam("id") String id, @PathParam("runId") String runId) {
        UUID experimentId = Parameters.uuid("id", "experiment id", id);
        UUID run = Parameters.uuid("runId", "run id", runId);
        checkVisible(experimentId);
        Map<String, Object> metadata = models.metadata(experimentId, run).orElseThrow(() -> noModel(experimentId,
                run));
        // The owner its trainer wrote into the model: checked as well, for an experiment this service has not heard
        // of yet (its events are behind), which checkVisible lets through. Another user's private model reads like
        // a missing one.
        if (!ModelService.readable(metadata, callers.currentBlocking())) {
            throw noModel(experimentId, run);
        }
        return metadata;
    }

    /**
     * Predictions of the run's model. The body is a JSON object whose shape the model kind defines: for
     * {@code mlp-forecaster} {@code {"values": [recent values, oldest first], "steps": 1}}, for {@code tabular}
     * {@code {"rows": [{"<feature>": value, ...}]}}. 400 names what does not fit; 404 when the run has no model.
     */
    @POST
    @Path("/predict")
    @Consumes(MediaType.APPLICATION_JSON)
    public Map<String, Object> predict(@PathParam("id") String id, @PathParam("runId") String runId, String body) {
        UUID experimentId = Parameters.uuid("id", "experiment id", id);
        UUID run = Parameters.uuid("runId", "run id", runId);
        checkVisible(experimentId);
        Map<String, Object> input = input(body);
        return models.predict(experimentId, run, input, callers.currentBlocking())
                .map(predictions -> ModelService.answer(experimentId, run, predictions))
                .orElseThrow(() -> noModel(experimentId, run));
    }

    /** The body as a JSON object; parsed here rather than by JAX-RS so a bad body gets a problem that says why. */
    private Map<String, Object> input(String body) {
        String expected = "the body must be a JSON object with the model's inputs, e.g. {\"values\": [...]} for a "
                + "forecaster or {\"rows\": [{...}]} for a tabular model";
        if (body == null || body.isBlank()) {
            throw new InvalidParameterException("body", expected + "; it is empty");
        }
        Object parsed;
        try {
            parsed = json.readValue(body, Object.class);
        } catch (JsonProcessingException e) {
            throw new InvalidParameterException("body", expected + "; it is not JSON: " + e.getOriginalMessage());
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new InvalidParameterException("body", expected);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> input = (Map<String, Object>) map;
        return input;
    }

    private static NotFoundProblemException noModel(UUID experimentId, UUID runId) {
        return new NotFoundProblemException("run " + runId + " of experiment " + experimentId + " has no stored "
                + "model: the run does not exist, is still training, or failed");
    }
}
