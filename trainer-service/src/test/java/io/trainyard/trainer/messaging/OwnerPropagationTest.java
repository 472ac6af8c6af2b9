package io.trainyard.trainer.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trainyard.contracts.DataSpec;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.ModelSpec;
import io.trainyard.contracts.RunCompleted;
import io.trainyard.contracts.RunEvent;
import io.trainyard.contracts.TrainRun;
import io.trainyard.contracts.TrainingSpec;
import io.trainyard.contracts.Visibility;
import io.trainyard.models.forecaster.MlpForecaster;
import io.trainyard.storage.DatasetStore;
import io.trainyard.storage.demo.CityDemand;
import io.trainyard.storage.testing.S3ProxyResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The owner and visibility of a command reach every event of its run: the results service shows runs by them and
 * never asks the scheduler; so does the stored model.
 */
@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
class OwnerPropagationTest {

    @Inject
    DatasetStore datasets;

    @Inject
    io.trainyard.storage.ModelStore models;

    BrokerProbe broker;

    @BeforeEach
    void connect() throws Exception {
        broker = new BrokerProbe();
    }

    @AfterEach
    void close() throws Exception {
        broker.close();
    }

    @Test
    void everyEventOfTheRunNamesTheOwnerOfItsCommand() throws Exception {
        String datasetId = "owned-" + UUID.randomUUID().toString().substring(0, 8);
        CityDemand.Generated generated = CityDemand.generate(datasetId, 1, 200, 3);
        datasets.save(generated.meta(), generated.csv());
        TrainRun command = new TrainRun(Messages.SCHEMA_VERSION, UUID.randomUUID(), UUID.randomUUID(),
                CommandListenerTest.POOL,
                new DataSpec(datasetId, "city", generated.meta().partitions().get(0), "date", "demand"),
                new ModelSpec(MlpForecaster.NAME, Map.of("lags", 7, "hidden", List.of(8))),
                new TrainingSpec(2, 32, 1e-3, 7, 1), 0, Instant.now(), "alice", Visibility.SHARED);
        broker.publish(command);

        await().atMost(Duration.ofSeconds(60))
                .until(() -> !broker.events(command.runId(), RunCompleted.class).isEmpty());
        List<RunEvent> events = broker.events(command.runId());
        assertThat(events).hasSizeGreaterThanOrEqualTo(4); // started, progress x2, checkpoint(s), completed
        assertThat(events).allSatisfy(event -> {
            assertThat(event.run().owner()).isEqualTo("alice");
            assertThat(event.run().visibility()).isEqualTo(Visibility.SHARED);
        });
        // and the stored model too, for readers that have not seen the events
        assertThat(models.metadata(command.experimentId(), command.runId())).hasValueSatisfying(metadata -> {
            assertThat(metadata).containsEntry("owner", "alice").containsEntry("visibility", "shared");
        });
    }
}
