package io.trainyard.scheduler.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.TrainRun;
import io.trainyard.scheduler.testing.Api;
import io.trainyard.scheduler.testing.Broker;
import io.trainyard.scheduler.testing.Problems;
import io.trainyard.storage.testing.S3ProxyResource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
class ExperimentSubmissionTest {

    Broker broker;

    @BeforeEach
    void connect() {
        broker = Broker.connect();
    }

    @AfterEach
    void disconnect() {
        broker.close();
    }

    @AfterAll
    static void cleanUp() {
        Broker.purgeTestPool();
    }

    private static List<TrainRun> commandsOf(List<Broker.Delivery> deliveries, UUID experimentId) {
        return deliveries.stream().map(d -> Messages.decodeCommand(d.body()))
                .filter(c -> c.experimentId().equals(experimentId)).toList();
    }

    @Test
    void threeCitiesBecomeThreeQueuedRunsWithOneCommandEach() {
        List<Broker.Delivery> deliveries = broker.observeCommands();
        String dataset = Api.demoDataset(3);

        Response response = Api.submit(Api.spec(dataset));
        response.then().statusCode(201);
        UUID id = UUID.fromString(response.jsonPath().getString("id"));
        assertThat(response.header("Location")).endsWith("/experiments/" + id);
        assertThat(response.jsonPath().getInt("runs")).isEqualTo(3);

        await().atMost(Duration.ofSeconds(20)).until(() -> commandsOf(deliveries, id).size() >= 3);
        List<TrainRun> commands = commandsOf(deliveries, id);
        assertThat(commands).hasSize(3);
        assertThat(commands).extracting(TrainRun::runId).doesNotHaveDuplicates();
        assertThat(commands).extracting(c -> c.data().partition())
                .containsExactlyInAnyOrder("Amsterdam", "Athens", "Auckland");
        assertThat(commands).allSatisfy(c -> {
            assertThat(c.schemaVersion()).isEqualTo(Messages.SCHEMA_VERSION);
            assertThat(c.pool()).isEqualTo(Broker.TEST_POOL);
            assertThat(c.previousAttempts()).isZero();
            assertThat(c.data().datasetId()).isEqualTo(dataset);
            assertThat(c.data().partitionColumn()).isEqualTo("city");
            assertThat(c.data().timeColumn()).isEqualTo("date");
            assertThat(c.data().targetColumn()).isEqualTo("demand");
            assertThat(c.model().kind()).isEqualTo("mlp-forecaster");
            assertThat(c.model().hyperparameters()).containsEntry("lags", 14);
            assertThat(c.training().epochs()).isEqualTo(10);
            assertThat(c.training().checkpointEvery()).isEqualTo(5);
        });
        assertThat(deliveries.stream().filter(d -> commandsOf(List.of(d), id).size() == 1)).allSatisfy(d -> {
            assertThat(d.routingKey()).isEqualTo("run." + Broker.TEST_POOL);
            assertThat(d.properties().getDeliveryMode()).isEqualTo(2);
            assertThat(d.properties().getContentType()).isEqualTo("application/json");
        });

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Api.runs(id))
                .extracting(r -> r.get("state")).containsOnly("QUEUED").hasSize(3));
        List<Map<String, Object>> runs = Api.runs(id);
        assertThat(runs).extracting(r -> r.get("partition")).containsExactly("Amsterdam", "Athens", "Auckland");
        assertThat(runs).extracting(r -> r.get("id"))
                .containsExactlyInAnyOrderElementsOf(commands.stream().map(c -> c.runId().toString()).toList());
        assertThat(runs).allSatisfy(r -> {
            assertThat(r).containsEntry("epoch", 0).containsEntry("epochs", 10).containsEntry("attempts", 0);
            assertThat(r.get("resumedFromEpoch")).isNull();
            assertThat(r.get("startedAt")).isNull();
        });

        Response experiment = Api.experiment(id);
        experiment.then().statusCode(200);
        assertThat(experiment.jsonPath().getString("status")).isEqualTo("queued");
        assertThat(experiment.jsonPath().getString("name")).isEqualTo("test " + dataset);
        assertThat(experiment.jsonPath().getInt("runs")).isEqualTo(3);
        assertThat(experiment.jsonPath().getMap("counts")).containsEntry("queued", 3).containsEntry("pending", 0)
                .containsEntry("running", 0).containsEntry("succeeded", 0).containsEntry("failed", 0);
        assertThat(experiment.jsonPath().getString("createdAt")).isNotBlank();
        assertThat(experiment.jsonPath().getString("startedAt")).isNull();

        // Confirmed rows are not published again by later relay passes.
        await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> true);
        assertThat(commandsOf(deliveries, id)).hasSize(3);
    }

    @Test
    void withoutPartitionByTheWholeDatasetIsOneRunWithDefaults() {
        List<Broker.Delivery> deliveries = broker.observeCommands();
        String dataset = Api.demoDataset(2);
        Map<String, Object> spec = Api.spec(dataset);
        spec.remove("partitionBy");
        spec.remove("timeColumn");
        spec.remove("targetColumn");
        spec.remove("training");

        Response response = Api.submit(spec);
        response.then().statusCode(201);
        UUID id = UUID.fromString(response.jsonPath().getString("id"));
        assertThat(response.jsonPath().getInt("runs")).isEqualTo(1);

        await().atMost(Duration.ofSeconds(20)).until(() -> commandsOf(deliveries, id).size() == 1);
        TrainRun command = commandsOf(deliveries, id).getFirst();
        assertThat(command.data().partition()).isNull();
        assertThat(command.data().partitionColumn()).isNull();
        assertThat(command.data().timeColumn()).isEqualTo("date");
        assertThat(command.data().targetColumn()).isEqualTo("demand");
        assertThat(command.training().epochs()).isEqualTo(30);
        assertThat(command.training().batchSize()).isEqualTo(32);
        assertThat(command.training().seed()).isEqualTo(42);
        assertThat(command.training().checkpointEverySeconds()).isNull();
        assertThat(command.training().keepsCheckpoints()).isFalse();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Api.runs(id))
                .singleElement().satisfies(r -> assertThat(r.get("state")).isEqualTo("QUEUED")));
    }

    @Test
    void checkpointsCanFallDueBySecondsAndBeKept() {
        List<Broker.Delivery> deliveries = broker.observeCommands();
        Map<String, Object> spec = Api.spec(Api.demoDataset(1));
        spec.put("training", Map.of("epochs", 3, "checkpointEvery", 2, "checkpointEverySeconds", 600,
                "keepCheckpoints", true));
        UUID id = Api.submitted(spec);

        await().atMost(Duration.ofSeconds(20)).until(() -> commandsOf(deliveries, id).size() == 1);
        TrainRun command = commandsOf(deliveries, id).getFirst();
        assertThat(command.training().checkpointEvery()).isEqualTo(2);
        assertThat(command.training().checkpointEverySeconds()).isEqualTo(600);
        assertThat(command.training().keepsCheckpoints()).isTrue();

        spec.put("training", Map.of("checkpointEverySeconds", 0));
        assertThat(Problems.violations(Api.submit(spec))).containsKey("training.checkpointEverySeconds");
    }
}
