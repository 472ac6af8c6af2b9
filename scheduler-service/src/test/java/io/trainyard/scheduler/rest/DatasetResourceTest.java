package io.trainyard.scheduler.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.trainyard.storage.testing.S3ProxyResource;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
class DatasetResourceTest {

    @Test
    void demoDatasetIsGeneratedStoredAndReadBack() {
        String id = "demo-" + UUID.randomUUID().toString().substring(0, 8);
        Response created = given().contentType(ContentType.JSON)
                .body(Map.of("id", id, "cities", 3, "days", 90, "seed", 11)).post("/datasets/demo");
        created.then().statusCode(201);
        assertThat(created.header("Location")).endsWith("/datasets/" + id);
        assertThat(created.jsonPath().getString("id")).isEqualTo(id);
        assertThat(created.jsonPath().getLong("rows")).isEqualTo(270);
        assertThat(created.jsonPath().getList("columns.name")).containsExactly("date", "city", "demand");
        assertThat(created.jsonPath().getString("partitionColumn")).isEqualTo("city");
        assertThat(created.jsonPath().getList("partitions")).containsExactly("Amsterdam", "Athens", "Auckland");

        Response read = given().get("/datasets/" + id);
        read.then().statusCode(200);
        assertThat(read.jsonPath().getMap("$")).isEqualTo(created.jsonPath().getMap("$"));
    }

    @Test
    void emptyBodyGeneratesTheDefaultDemo() {
        Response created = given().contentType(ContentType.JSON).body("{}").post("/datasets/demo");
        created.then().statusCode(201);
        assertThat(created.jsonPath().getString("id")).isEqualTo("city-demand");
        assertThat(created.jsonPath().getLong("rows")).isEqualTo(20L * 1095);
        assertThat(created.jsonPath().getList("partitions")).hasSize(20);
    }

    @Test
    void unknownDatasetIsNotFound() {
        Response response = given().get("/datasets/no-such-data");
        response.then().statusCode(404).contentType("application/problem+json");
        assertThat(response.jsonPath().getString("detail")).contains("no-such-data");
    }

    @Test
    void badParametersAreNamed() {
        Response response = given().contentType(ContentType.JSON)
                .body(Map.of("id", "Not Valid", "cities", 0, "days", 10)).post("/datasets/demo");
        response.then().statusCode(400).contentType("application/problem+json");
        List<Map<String, String>> violations = response.jsonPath().getList("violations");
        assertThat(violations.stream().collect(Collectors.toMap(v -> v.get("field"), v -> v.get("message"))))
                .containsOnlyKeys("id", "cities", "days")
                .hasEntrySatisfying("id", m -> assertThat(m).contains("lower-case"));

        given().contentType(ContentType.JSON).body(Map.of("cities", 41)).post("/datasets/demo").then()
                .statusCode(400).contentType("application/problem+json");
        given().get("/datasets/UPPER").then().statusCode(400).contentType("application/problem+json");
    }
}
