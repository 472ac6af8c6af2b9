package io.trainyard.scheduler.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.trainyard.scheduler.service.ExperimentSpec;
import io.trainyard.scheduler.service.SpecValidator;
import io.trainyard.scheduler.service.ValidatedSpec;
import io.trainyard.scheduler.testing.Api;
import io.trainyard.scheduler.testing.Broker;
import io.trainyard.storage.testing.S3ProxyResource;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The spec the README and the CLI use (examples/demo-forecast.yaml) passes the scheduler's checks on the demo data. */
@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
class DemoSpecTest {

    private static final Path DEMO_SPEC = Path.of("..", "examples", "demo-forecast.yaml");

    @Inject
    SpecValidator validator;
    @Inject
    ObjectMapper json;

    @BeforeEach
    void demoDataset() {
        // The dataset bin/trainyard demo generates: city-demand, 20 cities.
        given().contentType(ContentType.JSON).body(Map.of("id", "city-demand")).post("/datasets/demo").then()
                .statusCode(201);
    }

    @AfterAll
    static void cleanUp() {
        Broker.purgeTestPool();
    }

    @Test
    void theDemoSpecIsValidAsItIs() throws Exception {
        // Checked, not submitted: its pool is cpu, whose queue real trainers consume.
        ExperimentSpec spec = json.copyWith(new YAMLFactory()).readValue(DEMO_SPEC.toFile(), ExperimentSpec.class);

        ValidatedSpec validated = validator.validate(spec).await().atMost(Duration.ofSeconds(30));

        assertThat(validated).isNotNull();
        assertThat(spec.dataset()).isEqualTo("city-demand");
        assertThat(spec.resources().pool()).isEqualTo("cpu");
    }

    @Test
    void theDemoSpecIsAcceptedAsYamlAndMakesARunPerCity() throws Exception {
        String yaml = Files.readString(DEMO_SPEC).replace("pool: cpu", "pool: " + Broker.TEST_POOL);

        Response response = given().contentType("application/yaml").body(yaml.getBytes(StandardCharsets.UTF_8))
                .post("/experiments");

        response.then().statusCode(201);
        assertThat(response.jsonPath().getInt("runs")).isEqualTo(20);
        UUID id = UUID.fromString(response.jsonPath().getString("id"));
        assertThat(Api.runs(id)).extracting(r -> r.get("partition")).doesNotHaveDuplicates().hasSize(20)
                .contains("Amsterdam", "Athens");
    }
}
