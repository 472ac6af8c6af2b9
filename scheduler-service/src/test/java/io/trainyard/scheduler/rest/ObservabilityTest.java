package io.trainyard.scheduler.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trainyard.storage.testing.S3ProxyResource;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
class ObservabilityTest {

    @Test
    void healthIsUp() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void openApiDescribesTheEndpoints() {
        String openApi = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract()
                .asString();
        assertThat(openApi).contains("/experiments", "/experiments/{id}", "/experiments/{id}/runs",
                "/datasets/demo", "/datasets/{id}", "application/problem+json", "ExperimentSpec");
    }

    @Test
    void openApiKnowsYamlSpecsAndTheListing() {
        String openApi = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract()
                .asString();
        assertThat(openApi).contains("application/yaml", "ExperimentPage", "\"status\"", "Search", "Objective");
    }

    @Test
    void swaggerUiIsServed() {
        given().get("/q/swagger-ui/").then().statusCode(200).contentType(containsString("text/html"));
    }

    @Test
    void metricsHaveTheSchedulersNames() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("trainyard_scheduler_commands_published_total",
                "trainyard_scheduler_commands_publish_failures_total");
    }
}
