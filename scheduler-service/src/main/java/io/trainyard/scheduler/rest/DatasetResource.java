package io.trainyard.scheduler.rest;

import io.smallrye.mutiny.Uni;
import io.trainyard.scheduler.service.DatasetService;
import io.trainyard.scheduler.service.InvalidRequestException;
import io.trainyard.scheduler.service.NotFoundException;
import io.trainyard.scheduler.service.Violation;
import io.trainyard.storage.DatasetMeta;
import io.trainyard.storage.Keys;
import io.trainyard.storage.demo.CityDemand;
import jakarta.validation.Validator;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/datasets")
@Tag(name = "Datasets")
@Produces(MediaType.APPLICATION_JSON)
public class DatasetResource {

    private final DatasetService datasets;
    private final Validator validator;

    public DatasetResource(DatasetService datasets, Validator validator) {
        this.datasets = datasets;
        this.validator = validator;
    }

    /** What demo data to generate; every field is optional. */
    public record DemoRequest(
            @Schema(defaultValue = DEFAULT_ID) String id,
            @Schema(defaultValue = "20", description = "1 to 40 (CityDemand.MAX_CITIES)") @Min(1) Integer cities,
            @Schema(defaultValue = "1095") @Min(60) @Max(20 * 366) Integer days,
            @Schema(defaultValue = "7") Long seed) {

        static final String DEFAULT_ID = "city-demand";
    }

    @POST
    @Path("/demo")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Generate the city-demand demo dataset",
            description = "Deterministic daily demand of N cities (columns date, city, demand), partitioned by city. "
                    + "Replaces a dataset of the same id.")
    @APIResponse(responseCode = "201", content = @Content(schema = @Schema(implementation = DatasetMeta.class)))
    @APIResponse(responseCode = "400", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    public Uni<Response> generateDemo(DemoRequest request) {
        DemoRequest r = request != null ? request : new DemoRequest(null, null, null, null);
        List<Violation> violations = new ArrayList<>();
        validator.validate(r).stream()
                .map(v -> new Violation(v.getPropertyPath().toString(), v.getMessage()))
                .sorted(Comparator.comparing(Violation::field))
                .forEach(violations::add);
        if (r.cities() != null && r.cities() > CityDemand.MAX_CITIES) {
            violations.add(new Violation("cities", "must be less than or equal to " + CityDemand.MAX_CITIES
                    + " (the cities the generator knows)"));
        }
        String id = r.id() != null ? r.id() : DemoRequest.DEFAULT_ID;
        try {
            Keys.datasetId(id);
        } catch (IllegalArgumentException e) {
            violations.add(new Violation("id", e.getMessage()));
        }
        if (!violations.isEmpty()) {
            return Uni.createFrom().failure(new InvalidRequestException(violations));
        }
        return datasets.generateDemo(id, r.cities() != null ? r.cities() : 20, r.days() != null ? r.days() : 1095,
                r.seed() != null ? r.seed() : 7)
                .map(meta -> Response.created(URI.create("/datasets/" + meta.id())).entity(meta).build());
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A dataset's metadata: columns, rows, partitions")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = DatasetMeta.class)))
    @APIResponse(responseCode = "404", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    public Uni<DatasetMeta> get(@PathParam("id") String id) {
        try {
            Keys.datasetId(id);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(new InvalidRequestException("id", e.getMessage()));
        }
        return datasets.meta(id).map(meta -> meta.orElseThrow(() -> new NotFoundException("no dataset '" + id
                + "'")));
    }
}
