package io.trainyard.scheduler.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.trainyard.storage.ObjectStore;
import io.trainyard.storage.testing.S3ProxyResource;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /datasets} and {@code GET /datasets} against a real S3 server. The test profile's limits are small
 * (application.properties: 1 MiB, 200 characters a line, 10 columns, 20 partitions) so that each can be crossed.
 */
@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
class DatasetUploadTest {

    private static final String SALES = """
            date,city,units,note
            2024-01-01,Lyon,12,plain
            2024-01-02,Lyon,13.5,"with, a comma"
            2024-01-01,"Saint-Étienne",-4,"two
            lines"
            2024-01-02,Saint-Étienne,1e3,"a ""quoted"" word"
            2024-01-03,Nantes,,
            """;

    @Inject
    ObjectStore objects;

    private final ObjectMapper json = new ObjectMapper();

    private static String newId() {
        return "up-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static RequestSpecification csv(String body) {
        return csv(body.getBytes(StandardCharsets.UTF_8));
    }

    private static RequestSpecification csv(byte[] body) {
        return given().contentType("text/csv").body(body);
    }

    private static Response upload(String id, String partitionColumn, String body) {
        RequestSpecification request = csv(body).queryParam("id", id);
        if (partitionColumn != null) {
            request.queryParam("partitionColumn", partitionColumn);
        }
        return request.post("/datasets");
    }

    private List<String> stored(String id) {
        return objects.list("datasets/" + id + "/");
    }

    /** Asserts a 400 invalid-CSV problem at {@code line} and {@code column} (0: none) and that nothing was stored. */
    private Response assertInvalid(String id, Response response, long line, long column, String messagePart) {
        response.then().statusCode(400).contentType("application/problem+json");
        assertThat(response.jsonPath().getString("type")).endsWith("/invalid-csv");
        assertThat(response.jsonPath().getLong("line")).as(response.asString()).isEqualTo(line);
        if (column > 0) {
            assertThat(response.jsonPath().getLong("column")).as(response.asString()).isEqualTo(column);
        } else {
            assertThat(response.jsonPath().getString("column")).as(response.asString()).isNull();
        }
        assertThat(response.jsonPath().getString("detail")).startsWith("line " + line).contains(messagePart);
        assertThat(response.jsonPath().getList("violations.field")).containsExactly("line " + line
                + (column > 0 ? ", column " + column : ""));
        assertThat(stored(id)).isEmpty();
        return response;
    }

    @Test
    void csvIsStoredWithItsMetadata() throws Exception {
        String id = newId();
        Response response = upload(id, "city", SALES);
        response.then().statusCode(201);
        assertThat(response.header("Location")).endsWith("/datasets/" + id);

        JsonNode meta = json.readTree(objects.get("datasets/" + id + "/meta.json").orElseThrow());
        assertThat(meta.get("id").asText()).isEqualTo(id);
        assertThat(meta.get("rows").asLong()).isEqualTo(5);
        assertThat(json.convertValue(meta.get("columns"), List.class)).isEqualTo(List.of(
                Map.of("name", "date", "type", "date"),
                Map.of("name", "city", "type", "string"),
                Map.of("name", "units", "type", "number"),
                Map.of("name", "note", "type", "string")));
        assertThat(meta.get("partitionColumn").asText()).isEqualTo("city");
        assertThat(json.convertValue(meta.get("partitions"), List.class))
                .containsExactly("Lyon", "Nantes", "Saint-Étienne");
        byte[] bytes = SALES.getBytes(StandardCharsets.UTF_8);
        assertThat(meta.get("bytes").asLong()).isEqualTo(bytes.length);
        assertThat(meta.get("createdAt").asText()).isNotBlank();
        assertThat(objects.get("datasets/" + id + "/data.csv").orElseThrow()).isEqualTo(bytes);

        Response read = given().get("/datasets/" + id);
        read.then().statusCode(200);
        assertThat(read.jsonPath().getMap("$")).isEqualTo(response.jsonPath().getMap("$"));
    }

    @Test
    void withoutPartitionColumnThereAreNoPartitions() {
        String id = newId();
        Response response = upload(id, null, "t,value\n2024-01-01T10:15:00Z,1\n2024-01-01T10:16:00Z,2\n");
        response.then().statusCode(201);
        assertThat(response.jsonPath().getString("partitionColumn")).isNull();
        assertThat(response.jsonPath().getList("partitions")).isEmpty();
        assertThat(response.jsonPath().getList("columns.type")).containsExactly("date", "number");
    }

    @Test
    void anExistingDatasetIsReplacedOnlyWhenAsked() {
        String id = newId();
        upload(id, "city", SALES).then().statusCode(201);

        Response conflict = upload(id, null, "a\n1\n");
        conflict.then().statusCode(409).contentType("application/problem+json");
        assertThat(conflict.jsonPath().getString("detail")).contains(id).contains("replace=true");
        assertThat(given().get("/datasets/" + id).jsonPath().getLong("rows")).isEqualTo(5);

        // A bad replacement leaves the dataset as it was.
        csv("a,b\n1\n").queryParam("id", id).queryParam("replace", "true").post("/datasets").then()
                .statusCode(400);
        assertThat(given().get("/datasets/" + id).jsonPath().getLong("rows")).isEqualTo(5);
        assertThat(objects.get("datasets/" + id + "/data.csv").orElseThrow())
                .isEqualTo(SALES.getBytes(StandardCharsets.UTF_8));

        Response replaced = csv("a\n1\n2\n").queryParam("id", id).queryParam("replace", "true").post("/datasets");
        replaced.then().statusCode(201);
        assertThat(replaced.jsonPath().getLong("rows")).isEqualTo(2);
        assertThat(given().get("/datasets/" + id).jsonPath().getList("columns.name")).containsExactly("a");
        assertThat(new String(objects.get("datasets/" + id + "/data.csv").orElseThrow(), StandardCharsets.UTF_8))
                .isEqualTo("a\n1\n2\n");
    }

    @Test
    void datasetsAreListedByIdInPages() {
        String prefix = "list-" + UUID.randomUUID().toString().substring(0, 6);
        for (String suffix : List.of("b", "a", "c")) {
            upload(prefix + "-" + suffix, null, "x\n1\n").then().statusCode(201);
        }
        Response all = given().queryParam("size", 100).get("/datasets");
        all.then().statusCode(200);
        List<String> ids = all.jsonPath().getList("items.id");
        assertThat(ids).isSorted();
        assertThat(ids.stream().filter(i -> i.startsWith(prefix)).toList())
                .containsExactly(prefix + "-a", prefix + "-b", prefix + "-c");
        long total = all.jsonPath().getLong("total");
        assertThat(total).isGreaterThanOrEqualTo(3);

        Response page = given().queryParam("page", 1).queryParam("size", 1).get("/datasets");
        page.then().statusCode(200);
        assertThat(page.jsonPath().getInt("page")).isEqualTo(1);
        assertThat(page.jsonPath().getInt("size")).isEqualTo(1);
        assertThat(page.jsonPath().getLong("total")).isGreaterThanOrEqualTo(total);
        assertThat(page.jsonPath().getList("items")).hasSize(1);
        assertThat(page.jsonPath().getString("items[0].id")).isEqualTo(ids.get(1));

        Response bad = given().queryParam("size", 0).get("/datasets");
        bad.then().statusCode(400).contentType("application/problem+json");
        assertThat(bad.jsonPath().getList("violations.field")).containsExactly("size");
    }

    @Test
    void rowsWiderOrNarrowerThanTheHeaderAreRefused() {
        String id = newId();
        assertInvalid(id, upload(id, null, "a,b,c\n1,2,3\n4,5,6,7\n"), 3, 4, "more values than the header");
        assertInvalid(id, upload(id, null, "a,b,c\n1,2,3\n4,5\n"), 3, 3, "the row has 2 values, the header has 3")
                .then().body("columnName", org.hamcrest.Matchers.equalTo("c"));
        assertInvalid(id, upload(id, null, "a,b\n1,2\n\n3,4\n"), 3, 0, "empty");
    }

    @Test
    void badQuotingIsRefused() {
        String id = newId();
        assertInvalid(id, upload(id, null, "a,b\n1,2\n3,\"x\"y\n"), 3, 2, "followed by other text");
        // Reported where the quoted value starts, not at the end of the file.
        assertInvalid(id, upload(id, null, "a,b\n1,2\n3,\"never closed\n4,5\n6,7\n"), 3, 2, "not closed");
    }

    @Test
    void headersWithoutNamesOrWithTwiceTheSameNameAreRefused() {
        String id = newId();
        assertInvalid(id, upload(id, null, ""), 1, 0, "empty");
        assertInvalid(id, upload(id, null, "a,,c\n1,2,3\n"), 1, 2, "no name");
        assertInvalid(id, upload(id, null, "date,city,date\n1,2,3\n"), 1, 3, "appears twice (also column 1)");
        assertInvalid(id, upload(id, null, "a,b\n"), 2, 0, "no rows");
    }

    @Test
    void anUnknownPartitionColumnIsNamed() {
        String id = newId();
        Response response = upload(id, "town", SALES);
        response.then().statusCode(400).contentType("application/problem+json");
        assertThat(response.jsonPath().getList("violations.field")).containsExactly("partitionColumn");
        assertThat(response.jsonPath().getString("violations[0].message")).contains("'town'")
                .contains("date, city, units, note");
        assertThat(stored(id)).isEmpty();
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedWhereTheyAre() throws Exception {
        String id = newId();
        ByteArrayOutputStream latin1 = new ByteArrayOutputStream();
        latin1.write("city,units\nLyon,1\n".getBytes(StandardCharsets.UTF_8));
        latin1.write("Saint-\u00c9tienne,2\n".getBytes(StandardCharsets.ISO_8859_1));
        Response response = csv(latin1.toByteArray()).queryParam("id", id).post("/datasets");
        assertInvalid(id, response, 3, 1, "0xC9 at character 7");
        assertThat(response.jsonPath().getString("columnName")).isEqualTo("city");
        assertThat(response.jsonPath().getString("detail")).contains("UTF-8");

        byte[] bom = "\uFEFFa,b\n1,2\n".getBytes(StandardCharsets.UTF_8);
        assertInvalid(id, csv(bom).queryParam("id", id).post("/datasets"), 1, 1, "byte order mark");
    }

    @Test
    void limitsAreEnforced() {
        String id = newId();
        assertInvalid(id, upload(id, null, "a\n" + "x".repeat(201) + "\n"), 2, 0, "longer than 200 characters");
        String wide = String.join(",", java.util.stream.IntStream.rangeClosed(1, 11).mapToObj(i -> "c" + i)
                .toList());
        assertInvalid(id, upload(id, null, wide + "\n"), 1, 11, "more than 10 columns");
        StringBuilder many = new StringBuilder("city,v\n");
        for (int i = 1; i <= 21; i++) {
            many.append("c").append(i).append(",1\n");
        }
        assertInvalid(id, upload(id, "city", many.toString()), 22, 1, "more than 20 distinct values");
        assertInvalid(id, upload(id, "city", "city,v\n,1\n"), 2, 1, "no value");
    }

    @Test
    void anUploadLargerThanTheLimitIs413WhetherItsLengthIsKnownOrNot() {
        String id = newId();
        byte[] large = ("v\n" + "1234567\n".repeat(140_000)).getBytes(StandardCharsets.UTF_8); // ~1.1 MB
        Response known = csv(large).queryParam("id", id).post("/datasets");
        known.then().statusCode(413).contentType("application/problem+json");
        assertThat(known.jsonPath().getString("detail")).contains("max-bytes");

        // Sent chunked, without a length: found while streaming.
        Response streamed = given().contentType("text/csv").body(new ByteArrayInputStream(large))
                .queryParam("id", id).post("/datasets");
        streamed.then().statusCode(413).contentType("application/problem+json");
        assertThat(stored(id)).isEmpty();
    }

    @Test
    void badParametersAreNamed() {
        Response response = csv("a\n1\n").queryParam("id", "Not Valid").queryParam("partitionColumn", " ")
                .queryParam("replace", "yes").post("/datasets");
        response.then().statusCode(400).contentType("application/problem+json");
        assertThat(response.jsonPath().getList("violations.field"))
                .containsExactlyInAnyOrder("id", "partitionColumn", "replace");

        Response missing = csv("a\n1\n").post("/datasets");
        missing.then().statusCode(400);
        assertThat(missing.jsonPath().getList("violations.field")).containsExactly("id");

        given().contentType("application/json").body("{}").queryParam("id", newId()).post("/datasets").then()
                .statusCode(415).contentType("application/problem+json");
    }
}
