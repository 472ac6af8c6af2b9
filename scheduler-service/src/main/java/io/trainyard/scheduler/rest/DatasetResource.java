package io.trainyard.scheduler.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.smallrye.mutiny.Uni;
import io.trainyard.contracts.Caller;
import io.trainyard.contracts.Role;
import io.trainyard.contracts.Visibility;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Pattern;
import io.trainyard.scheduler.service.DatasetExistsException;
import io.trainyard.scheduler.service.DatasetService;
import io.trainyard.scheduler.service.InvalidCsvException;
import io.trainyard.scheduler.service.InvalidRequestException;
import io.trainyard.scheduler.service.NotFoundException;
import io.trainyard.scheduler.service.UploadTooLargeException;
import io.trainyard.scheduler.service.Violation;
import io.trainyard.storage.DatasetMeta;
import io.trainyard.storage.Keys;
import io.trainyard.storage.demo.CityDemand;
import jakarta.validation.Validator;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

@Path("/datasets")
@Tag(name = "Datasets")
@Produces(MediaType.APPLICATION_JSON)
@APIResponse(responseCode = "401", description = "No bearer token, or one that is expired or not trainyard's",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "403", description = "The token's role may not do this, or the dataset is another "
        + "user's", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class DatasetResource {

    static final String CSV = "text/csv";
    static final int MAX_DATASETS_PAGE = 100;

    private final DatasetService datasets;
    private final Validator validator;
    private final Callers callers;

    public DatasetResource(DatasetService datasets, Validator validator, Callers callers) {
        this.datasets = datasets;
        this.validator = validator;
        this.callers = callers;
    }

    /** What demo data to generate; every field is optional. */
    public record DemoRequest(
            @Schema(defaultValue = DEFAULT_ID) String id,
            @Schema(defaultValue = "20", description = "1 to 40 (CityDemand.MAX_CITIES)") @Min(1) Integer cities,
            @Schema(defaultValue = "1095") @Min(60) @Max(20 * 366) Integer days,
            @Schema(defaultValue = "7") Long seed,
            @Schema(enumeration = {"private", "shared"}, defaultValue = "private",
                    description = "shared: every user may read it and train on it")
            @Pattern(regexp = "private|shared", message = "must be 'private' or 'shared'") String visibility) {

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
    @RolesAllowed({Role.ADMIN_NAME, Role.RESEARCHER_NAME})
    public Uni<Response> generateDemo(DemoRequest request) {
        DemoRequest r = request != null ? request : new DemoRequest(null, null, null, null, null);
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
        Visibility visibility = Visibility.parse("visibility", r.visibility());
        return callers.current().chain(caller -> datasets.generateDemo(id, r.cities() != null ? r.cities() : 20,
                r.days() != null ? r.days() : 1095, r.seed() != null ? r.seed() : 7, caller, visibility))
                .map(meta -> Response.created(URI.create("/datasets/" + meta.id())).entity(meta).build());
    }

    /** A page of datasets, by id. */
    public record DatasetPage(int page, int size, long total, List<DatasetMeta> items) {
    }

    /**
     * The problem of a CSV that cannot be a dataset: where (line, column and the column's name when known) and what.
     * An RFC 7807 problem with extension members; {@code violations} has the same as for every other 400.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CsvProblem(String type, String title, int status, String detail, long line, Long column,
            String columnName, List<Violation> violations) {
    }

    @POST
    @Consumes({CSV, MediaType.TEXT_PLAIN, MediaType.APPLICATION_OCTET_STREAM})
    @Operation(summary = "Upload a CSV as a dataset",
            description = "The body is the CSV itself (UTF-8, a header line naming the columns, ',' between values, "
                    + "'\"' around values that hold one). It is checked while it streams in and stored with a "
                    + "meta.json of its rows, columns with their types (number, date or string) and the distinct "
                    + "values of the partition column. The first problem is answered with its line and column, and "
                    + "nothing is stored. Limits: trainyard.scheduler.datasets.max-bytes (413 past it), "
                    + "max-line-length, max-columns, max-partitions.")
    @RequestBody(content = @Content(mediaType = CSV, schema = @Schema(type = SchemaType.STRING, format = "binary")))
    @APIResponse(responseCode = "201", description = "Stored; Location is the dataset",
            content = @Content(schema = @Schema(implementation = DatasetMeta.class)))
    @APIResponse(responseCode = "400", description = "A bad id or partition column, or a CSV that cannot be a "
            + "dataset: its line and column and what is wrong",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = CsvProblem.class)))
    @APIResponse(responseCode = "409", description = "The dataset exists and replace is not true",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "Larger than trainyard.scheduler.datasets.max-bytes",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @RolesAllowed({Role.ADMIN_NAME, Role.RESEARCHER_NAME})
    public Response upload(
            @Parameter(description = "the dataset id: 1 to 64 lower-case letters, digits, '.', '_' or '-'",
                    required = true, example = "sales-2024")
            @QueryParam("id") String id,
            @Parameter(description = "the column whose distinct values become the partitions (one run each)",
                    example = "city")
            @QueryParam("partitionColumn") String partitionColumn,
            @Parameter(description = "replace a dataset of the same id (default false: 409 when it exists)",
                    schema = @Schema(type = SchemaType.BOOLEAN, defaultValue = "false"))
            @QueryParam("replace") String replace,
            @Parameter(description = "private (default): only you and the admins see it; shared: every user may "
                    + "read it and train on it", schema = @Schema(enumeration = {"private", "shared"}))
            @QueryParam("visibility") String visibility,
            @Parameter(hidden = true) @HeaderParam(HttpHeaders.CONTENT_LENGTH) String contentLength,
            InputStream body) {
        Caller caller = callers.currentBlocking();
        List<Violation> violations = new ArrayList<>();
        if (id == null || id.isEmpty()) {
            violations.add(new Violation("id", "is required: the id of the new dataset, e.g. ?id=sales-2024"));
        } else {
            try {
                Keys.datasetId(id);
            } catch (IllegalArgumentException e) {
                violations.add(new Violation("id", e.getMessage()));
            }
        }
        if (partitionColumn != null && partitionColumn.isBlank()) {
            violations.add(new Violation("partitionColumn", "must name a column of the CSV, or be left out"));
        }
        boolean replacing = false;
        if (replace != null && !replace.isEmpty()) {
            if (!replace.equals("true") && !replace.equals("false")) {
                violations.add(new Violation("replace", "'" + replace + "' is neither true nor false"));
            }
            replacing = replace.equals("true");
        }
        Visibility chosen = Visibility.PRIVATE;
        try {
            chosen = Visibility.parse("visibility", visibility);
        } catch (IllegalArgumentException e) {
            violations.add(new Violation("visibility", e.getMessage()));
        }
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(violations);
        }
        // Refused before a byte is read when the client says how much is coming.
        if (contentLength != null && contentLength.matches("\\d{1,18}")
                && Long.parseLong(contentLength) > datasets.maxUploadBytes()) {
            throw new UploadTooLargeException(datasets.maxUploadBytes());
        }
        DatasetMeta meta = datasets.upload(id, partitionColumn, replacing, body, caller, chosen);
        return Response.created(URI.create("/datasets/" + meta.id())).entity(meta).build();
    }

    @GET
    @Operation(summary = "Datasets, by id")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = DatasetPage.class)))
    @APIResponse(responseCode = "400", description = "A bad page or size",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @RolesAllowed({Role.ADMIN_NAME, Role.RESEARCHER_NAME, Role.VIEWER_NAME})
    public Uni<DatasetPage> list(
            @Parameter(description = "0-based page", schema = @Schema(type = SchemaType.INTEGER, minimum = "0"))
            @QueryParam("page") String page,
            @Parameter(description = "datasets per page, 1 to " + MAX_DATASETS_PAGE + ", default 20",
                    schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "100"))
            @QueryParam("size") String size) {
        Paging paging = Paging.of(page, size, 20, MAX_DATASETS_PAGE);
        return callers.current().chain(caller -> datasets.list(paging.page(), paging.size(), caller))
                .map(listed -> new DatasetPage(paging.page(), paging.size(), listed.total(), listed.items()));
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A dataset's metadata: columns, rows, partitions")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = DatasetMeta.class)))
    @APIResponse(responseCode = "404", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @RolesAllowed({Role.ADMIN_NAME, Role.RESEARCHER_NAME, Role.VIEWER_NAME})
    public Uni<DatasetMeta> get(@PathParam("id") String id) {
        try {
            Keys.datasetId(id);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(new InvalidRequestException("id", e.getMessage()));
        }
        return callers.current().chain(caller -> datasets.meta(id, caller)).map(meta -> meta.orElseThrow(() -> new NotFoundException("no dataset '" + id
                + "'")));
    }

    @ServerExceptionMapper
    public Response invalidCsv(InvalidCsvException e) {
        String where = "line " + e.line() + (e.column() > 0 ? ", column " + e.column() : "");
        CsvProblem problem = new CsvProblem(Problem.TYPE_BASE + "invalid-csv", "Invalid CSV", 400, e.getMessage(),
                e.line(), e.column() > 0 ? e.column() : null, e.columnName(),
                List.of(new Violation(where, e.problem())));
        return Response.status(400).type(Problem.MEDIA_TYPE).entity(problem).build();
    }

    @ServerExceptionMapper
    public Response tooLarge(UploadTooLargeException e) {
        return Problem.of(413, e.getMessage()).toResponse();
    }

    @ServerExceptionMapper
    public Response exists(DatasetExistsException e) {
        return Problem.of(409, e.getMessage()).toResponse();
    }
}
