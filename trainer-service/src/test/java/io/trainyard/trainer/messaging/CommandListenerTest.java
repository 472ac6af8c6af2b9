package io.trainyard.trainer.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trainyard.contracts.DataSpec;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.ModelSpec;
import io.trainyard.contracts.RunCheckpointed;
import io.trainyard.contracts.RunCompleted;
import io.trainyard.contracts.RunFailed;
import io.trainyard.contracts.RunProgressed;
import io.trainyard.contracts.RunStarted;
import io.trainyard.contracts.TrainRun;
import io.trainyard.contracts.TrainingSpec;
import io.trainyard.storage.Checkpoint;
import io.trainyard.storage.CheckpointStore;
import io.trainyard.storage.DatasetStore;
import io.trainyard.storage.ModelStore;
import io.trainyard.storage.demo.CityDemand;
import io.trainyard.storage.testing.S3ProxyResource;
import io.trainyard.models.forecaster.MlpForecaster;
import io.trainyard.trainer.training.TrainingLoop;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The trainer against the real broker and a real S3 server: deliveries, acks, dead letters and resume. */
@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
class CommandListenerTest {

    static final String POOL = "test";
    static final TrainingSpec SPEC = new TrainingSpec(6, 32, 1e-3, 7, 2);
    static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    DatasetStore datasets;
    @Inject
    CheckpointStore checkpoints;
    @Inject
    ModelStore models;

    BrokerProbe broker;
    String datasetId;
    String city;
    String csv;

    @BeforeEach
    void setUp() throws Exception {
        broker = new BrokerProbe();
        datasetId = "demand-" + UUID.randomUUID().toString().substring(0, 8);
        CityDemand.Generated generated = CityDemand.generate(datasetId, 2, 400, 3);
        datasets.save(generated.meta(), generated.csv());
        csv = generated.csv();
        city = generated.meta().partitions().get(0);
    }

    @AfterEach
    void tearDown() throws Exception {
        broker.close();
    }

    TrainRun command(String dataset, int previousAttempts) {
        return new TrainRun(Messages.SCHEMA_VERSION, UUID.randomUUID(), UUID.randomUUID(), POOL,
                new DataSpec(dataset, "city", city, "date", "demand"),
                new ModelSpec(MlpForecaster.NAME, Map.of("lags", 7, "hidden", List.of(16))), SPEC,
                previousAttempts, Instant.now());
    }

    @Test
    void commandTrainsItsRunCheckpointsAndStoresTheModel() throws Exception {
        TrainRun command = command(datasetId, 0);
        broker.publish(command);

        await().atMost(WAIT).until(() -> !broker.events(command.runId(), RunCompleted.class).isEmpty());
        RunStarted started = broker.events(command.runId(), RunStarted.class).get(0);
        assertThat(started.startEpoch()).isZero();
        assertThat(started.resumedFromEpoch()).isNull();
        assertThat(started.run().attempt()).isEqualTo(1);
        assertThat(started.run().trainer()).isEqualTo("trainer-under-test");
        assertThat(broker.events(command.runId(), RunProgressed.class)).extracting(RunProgressed::epoch)
                .containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(broker.events(command.runId(), RunCheckpointed.class)).extracting(RunCheckpointed::epoch)
                .containsExactly(2, 4);
        RunCompleted completed = broker.events(command.runId(), RunCompleted.class).get(0);
        assertThat(completed.metrics()).containsKeys("mae", "rmse", "mape");
        assertThat(completed.partition()).isEqualTo(city);

        Map<String, Object> model = models.metadata(command.experimentId(), command.runId()).orElseThrow();
        assertThat(model).containsEntry("partition", city).containsKey("metrics");
        assertThat(models.parameters(command.experimentId(), command.runId())).isPresent();
        assertThat(checkpoints.loadLatest(command.experimentId(), command.runId()))
                .as("checkpoints are deleted once the model is written").isEmpty();
        // sequence numbers of the attempt are strictly increasing in publish order
        List<Long> sequences = broker.events(command.runId()).stream().map(e -> e.run().sequence()).toList();
        assertThat(sequences).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void checkpointsAreKeptWhenTheRunAsksForIt() throws Exception {
        TrainRun command = new TrainRun(Messages.SCHEMA_VERSION, UUID.randomUUID(), UUID.randomUUID(), POOL,
                new DataSpec(datasetId, "city", city, "date", "demand"),
                new ModelSpec(MlpForecaster.NAME, Map.of("lags", 7, "hidden", List.of(16))),
                new TrainingSpec(4, 32, 1e-3, 7, 2, null, true), 0, Instant.now());
        broker.publish(command);
        await().atMost(WAIT).until(() -> !broker.events(command.runId(), RunCompleted.class).isEmpty());
        assertThat(models.metadata(command.experimentId(), command.runId())).isPresent();
        assertThat(checkpoints.loadLatest(command.experimentId(), command.runId())).as("kept")
                .hasValueSatisfying(l -> assertThat(l.checkpoint().position().epoch()).isEqualTo(2));
    }

    @Test
    void aCompletedRunIsAnnouncedAgainNotTrainedTwice() throws Exception {
        TrainRun command = command(datasetId, 0);
        broker.publish(command);
        await().atMost(WAIT).until(() -> broker.events(command.runId(), RunCompleted.class).size() == 1);

        broker.publish(command);
        await().atMost(WAIT).until(() -> broker.events(command.runId(), RunCompleted.class).size() == 2);
        assertThat(broker.events(command.runId(), RunStarted.class)).hasSize(1);
        List<RunCompleted> completions = broker.events(command.runId(), RunCompleted.class);
        assertThat(completions.get(1).metrics()).isEqualTo(completions.get(0).metrics());
    }

    @Test
    void aRedeliveredRunResumesFromItsCheckpointAndEndsAsIfNeverStopped() throws Exception {
        TrainRun command = command(datasetId, 1);
        // What a first attempt left behind when it died after its epoch-4 checkpoint.
        var prepared = new MlpForecaster().prepare(command,
                new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)));
        List<Checkpoint> written = new ArrayList<>();
        TrainingLoop.Result uninterrupted = TrainingLoop.train(prepared, SPEC, null, new TrainingLoop.Listener() {
            @Override
            public void onEpoch(int epochsDone, double trainLoss, double validationLoss, double seconds) {
            }

            @Override
            public void onCheckpoint(TrainingLoop.Snapshot snapshot) {
                written.add(new Checkpoint(command.experimentId(), command.runId(), snapshot.position(), 1,
                        snapshot.parameters(), snapshot.optimizer(), Map.of()));
            }
        });
        written.forEach(checkpoints::save);

        broker.publish(command);

        await().atMost(WAIT).until(() -> !broker.events(command.runId(), RunCompleted.class).isEmpty());
        RunStarted started = broker.events(command.runId(), RunStarted.class).get(0);
        assertThat(started.run().attempt()).isEqualTo(2);
        assertThat(started.resumedFromEpoch()).isEqualTo(4);
        assertThat(started.startEpoch()).isEqualTo(4);
        // In the order they were published: progress is sent without waiting for each confirm, so two events can
        // reach the queue swapped (seen once here); consumers order a run's events by their sequence.
        assertThat(broker.events(command.runId(), RunProgressed.class).stream()
                .sorted(java.util.Comparator.comparingLong(e -> e.run().sequence())))
                .extracting(RunProgressed::epoch).containsExactly(5, 6);
        assertThat(models.parameters(command.experimentId(), command.runId()).orElseThrow())
                .as("the resumed run's model equals the uninterrupted one's").isEqualTo(uninterrupted.model());
    }

    @Test
    void aStaleAttemptThatFinishesAfterALaterOneTookTheRunOverWritesNoModel() throws Exception {
        TrainRun command = command(datasetId, 0);
        // A later attempt (3) owns the run: its checkpoint at epoch 2 moved the pointer.
        var prepared = new MlpForecaster().prepare(command,
                new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)));
        List<Checkpoint> written = new ArrayList<>();
        TrainingLoop.train(prepared, SPEC, null, new TrainingLoop.Listener() {
            @Override
            public void onEpoch(int epochsDone, double trainLoss, double validationLoss, double seconds) {
            }

            @Override
            public void onCheckpoint(TrainingLoop.Snapshot snapshot) {
                written.add(new Checkpoint(command.experimentId(), command.runId(), snapshot.position(), 3,
                        snapshot.parameters(), snapshot.optimizer(), Map.of()));
            }
        });
        checkpoints.save(written.getFirst());

        // Attempt 1 (a trainer that was frozen, say) gets the command and trains to the end.
        broker.publish(command);

        await().atMost(WAIT).until(() -> broker.events(command.runId(), RunProgressed.class).stream()
                .anyMatch(p -> p.epoch() == SPEC.epochs()));
        await().atMost(WAIT).until(() -> broker.queued(POOL) == 0);
        Thread.sleep(1000); // the end of the delivery: model write and completion would follow the last epoch
        assertThat(broker.events(command.runId(), RunStarted.class)).singleElement()
                .satisfies(s -> assertThat(s.run().attempt()).isEqualTo(1));
        assertThat(broker.events(command.runId(), RunCompleted.class)).as("fenced: no completion").isEmpty();
        assertThat(broker.events(command.runId(), RunCheckpointed.class)).as("its checkpoint never moved the pointer")
                .isEmpty();
        assertThat(models.metadata(command.experimentId(), command.runId())).as("fenced: no model").isEmpty();
        assertThat(checkpoints.loadLatest(command.experimentId(), command.runId()).orElseThrow().checkpoint()
                .position().epoch()).as("the later attempt's checkpoint is untouched").isEqualTo(2);
    }

    @Test
    void aRunThatCanNeverSucceedFailsAtOnceWithAReason() throws Exception {
        TrainRun missingDataset = command("no-such-dataset", 0);
        TrainRun unknownKind = new TrainRun(Messages.SCHEMA_VERSION, UUID.randomUUID(), UUID.randomUUID(), POOL,
                missingDataset.data(), new ModelSpec("transformer-xxl", Map.of()), SPEC, 0, Instant.now());
        TrainRun badHyperparameter = new TrainRun(Messages.SCHEMA_VERSION, UUID.randomUUID(), UUID.randomUUID(),
                POOL, new DataSpec(datasetId, "city", city, "date", "demand"),
                new ModelSpec(MlpForecaster.NAME, Map.of("lags", -3)), SPEC, 0, Instant.now());
        broker.publish(missingDataset);
        broker.publish(unknownKind);
        broker.publish(badHyperparameter);

        await().atMost(WAIT).until(() -> !broker.events(badHyperparameter.runId(), RunFailed.class).isEmpty()
                && !broker.events(unknownKind.runId(), RunFailed.class).isEmpty()
                && !broker.events(missingDataset.runId(), RunFailed.class).isEmpty());
        assertThat(broker.events(missingDataset.runId(), RunFailed.class).get(0).reason())
                .contains("dataset 'no-such-dataset' does not exist");
        assertThat(broker.events(unknownKind.runId(), RunFailed.class).get(0).reason())
                .contains("unknown model kind 'transformer-xxl'").contains(MlpForecaster.NAME);
        assertThat(broker.events(badHyperparameter.runId(), RunFailed.class).get(0).reason())
                .contains("'lags'").contains("integer from 1");
        // acked, not retried: no second attempt shows up
        Thread.sleep(1000);
        assertThat(broker.events(missingDataset.runId())).hasSize(1);
    }

    @Test
    void aCommandThatCannotBeReadIsDeadLetteredAndTheTrainerKeepsGoing() throws Exception {
        String marker = "garbage-" + UUID.randomUUID();
        broker.publish(POOL, ("{not json " + marker).getBytes(StandardCharsets.UTF_8));
        await().atMost(WAIT).until(() -> broker.takeDeadLetter(marker));

        TrainRun next = command(datasetId, 0);
        broker.publish(next);
        await().atMost(WAIT).until(() -> !broker.events(next.runId(), RunCompleted.class).isEmpty());
    }

    @Test
    void theSchedulerCanDeclareTheSameQueueTheTrainerConsumes() throws Exception {
        broker.declareLikeTheScheduler(POOL); // throws PRECONDITION_FAILED if the arguments differ
    }
}
