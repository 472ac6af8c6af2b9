package io.trainyard.trainer.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trainyard.contracts.CancelRuns;
import io.trainyard.contracts.DataSpec;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.ModelSpec;
import io.trainyard.contracts.RunCancelled;
import io.trainyard.contracts.RunCheckpointed;
import io.trainyard.contracts.RunCompleted;
import io.trainyard.contracts.RunProgressed;
import io.trainyard.contracts.RunStarted;
import io.trainyard.contracts.TrainRun;
import io.trainyard.contracts.TrainingSpec;
import io.trainyard.models.forecaster.MlpForecaster;
import io.trainyard.storage.Cancellations;
import io.trainyard.storage.CheckpointStore;
import io.trainyard.storage.DatasetStore;
import io.trainyard.storage.ModelStore;
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

/** Cancel on the trainer: a queued command of a cancelled run is not trained, a running run stops within an epoch. */
@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
class CancelRunTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    DatasetStore datasets;
    @Inject
    CheckpointStore checkpoints;
    @Inject
    ModelStore models;
    @Inject
    Cancellations cancellations;

    BrokerProbe broker;
    String datasetId;
    String city;

    @BeforeEach
    void setUp() throws Exception {
        broker = new BrokerProbe();
        datasetId = "cancel-" + UUID.randomUUID().toString().substring(0, 8);
        CityDemand.Generated generated = CityDemand.generate(datasetId, 1, 400, 5);
        datasets.save(generated.meta(), generated.csv());
        city = generated.meta().partitions().getFirst();
    }

    @AfterEach
    void tearDown() throws Exception {
        broker.close();
    }

    TrainRun command(int epochs) {
        return new TrainRun(Messages.SCHEMA_VERSION, UUID.randomUUID(), UUID.randomUUID(), CommandListenerTest.POOL,
                new DataSpec(datasetId, "city", city, "date", "demand"),
                new ModelSpec(MlpForecaster.NAME, Map.of("lags", 7, "hidden", List.of(16))),
                new TrainingSpec(epochs, 32, 1e-3, 7, 1), 0, Instant.now());
    }

    @Test
    void aQueuedCommandOfACancelledRunIsAckedWithoutTraining() throws Exception {
        TrainRun command = command(4);
        cancellations.cancel(command.experimentId(), List.of(), "cancelled: by test", Instant.now());
        broker.publish(command);

        await().atMost(WAIT).until(() -> !broker.events(command.runId(), RunCancelled.class).isEmpty());
        RunCancelled cancelled = broker.events(command.runId(), RunCancelled.class).getFirst();
        assertThat(cancelled.epoch()).isZero();
        assertThat(broker.events(command.runId(), RunStarted.class)).isEmpty();
        assertThat(models.metadata(command.experimentId(), command.runId())).isEmpty();
        await().atMost(WAIT).until(() -> broker.queued(CommandListenerTest.POOL) == 0);
    }

    @Test
    void aRunningRunStopsWithinAnEpochOfTheSignalAndIsNeverHandedBack() throws Exception {
        int epochs = 500;
        TrainRun command = command(epochs);
        broker.publish(command);
        await().atMost(WAIT).until(() -> broker.events(command.runId(), RunProgressed.class).size() >= 2);

        int seenAtSignal = broker.events(command.runId(), RunProgressed.class).size();
        broker.signal(CancelRuns.of(command.experimentId(), List.of(command.runId()), "cancelled: by test",
                Instant.now()));

        await().atMost(WAIT).until(() -> !broker.events(command.runId(), RunCancelled.class).isEmpty());
        RunCancelled cancelled = broker.events(command.runId(), RunCancelled.class).getFirst();
        assertThat(cancelled.reason()).isEqualTo("cancelled: by test");
        // Within one epoch of the signal (progress may still be in flight when the signal left, so allow two).
        assertThat(cancelled.epoch()).isLessThanOrEqualTo(seenAtSignal + 2).isLessThan(epochs);
        assertThat(broker.events(command.runId(), RunCompleted.class)).isEmpty();
        await().atMost(WAIT).until(() -> checkpoints.positions(command.experimentId(), command.runId()).isEmpty());
        assertThat(broker.events(command.runId(), RunCheckpointed.class)).isNotEmpty();
        // No continuation: nothing of the run comes back to the queue, and it never starts again.
        await().atMost(WAIT).until(() -> broker.queued(CommandListenerTest.POOL) == 0);
        Thread.sleep(500);
        assertThat(broker.events(command.runId(), RunStarted.class)).hasSize(1);
    }

    @Test
    void aSignalForAnotherRunChangesNothing() throws Exception {
        TrainRun command = command(3);
        broker.signal(CancelRuns.of(command.experimentId(), List.of(UUID.randomUUID()), "other run",
                Instant.now()));
        broker.publish(command);
        await().atMost(WAIT).until(() -> !broker.events(command.runId(), RunCompleted.class).isEmpty());
        assertThat(broker.events(command.runId(), RunCancelled.class)).isEmpty();
    }
}
