package io.trainyard.scheduler.metrics;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trainyard.scheduler.testing.Api;
import io.trainyard.scheduler.testing.Broker;
import io.trainyard.storage.testing.S3ProxyResource;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
class ExperimentRunGaugesTest {

    @AfterAll
    static void cleanUp() {
        Broker.purgeTestPool();
    }

    @Test
    void aSubmittedExperimentHasItsRunsByStateAndItsNameOnTheMetricsPage() {
        String dataset = Api.demoDataset(3);
        Map<String, Object> spec = Api.spec(dataset);
        spec.put("name", "gauges " + dataset);
        UUID id = Api.submitted(spec);

        // No trainer consumes the test pool: the three runs stay queued once the outbox relay has sent them.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String page = given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertThat(sample(page, "trainyard_scheduler_experiment_runs", id, "queued")).isEqualTo(3.0);
            for (String state : new String[] {"pending", "running", "succeeded", "failed", "cancelled"}) {
                assertThat(sample(page, "trainyard_scheduler_experiment_runs", id, state)).as(state).isZero();
            }
            assertThat(page).containsPattern("trainyard_scheduler_experiment_info\\{[^}]*experiment=\"" + id
                    + "\"[^}]*name=\"gauges " + dataset + "\"[^}]*} 1\\.0");
        });
    }

    /** The value of {@code name}{experiment=id, state=state} on the page, or null when there is no such sample. */
    private static Double sample(String page, String name, UUID id, String state) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{([^}]*)} (\\S+)$").matcher(page);
        while (m.find()) {
            if (m.group(1).contains("experiment=\"" + id + "\"") && m.group(1).contains("state=\"" + state + "\"")) {
                return Double.parseDouble(m.group(2));
            }
        }
        return null;
    }
}
