package io.trainyard.trainer.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.trainyard.contracts.DataSpec;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.ModelSpec;
import io.trainyard.contracts.RunCompleted;
import io.trainyard.contracts.RunProgressed;
import io.trainyard.contracts.RunStarted;
import io.trainyard.contracts.TrainRun;
import io.trainyard.contracts.TrainingSpec;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A run far longer than a delivery may be held: with a segment budget of a fraction of a second it is trained as
 * a chain of deliveries, each resuming where the last stopped, and completes once with the same model as an
 * uninterrupted run.
 */
@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
@TestProfile(SegmentedRunTest.ShortSegments.class)
class SegmentedRunTest {

    public static class ShortSegments implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("trainyard.trainer.segment-budget", "150ms", "trainyard.trainer.pool", "test-segments");
        }
    }

    @Inject
    DatasetStore datasets;
    @Inject
    ModelStore models;

    @Test
    void aRunLongerThanItsSegmentBudgetCompletesOnceAcrossManyDeliveries() throws Exception {
        String dataset = "segments-" + UUID.randomUUID().toString().substring(0, 8);
        CityDemand.Generated generated = CityDemand.generate(dataset, 1, 500, 9);
        datasets.save(generated.meta(), generated.csv());
        TrainingSpec spec = new TrainingSpec(12, 8, 1e-3, 5, 4);
        TrainRun command = new TrainRun(Messages.SCHEMA_VERSION, UUID.randomUUID(), UUID.randomUUID(),
                "test-segments", new DataSpec(dataset, "city", generated.meta().partitions().get(0), "date", "demand"),
                new ModelSpec(MlpForecaster.NAME, Map.of("lags", 14, "hidden", List.of(64, 64))), spec, 0,
                Instant.now());

        try (BrokerProbe broker = new BrokerProbe()) {
            broker.publish(command);
            await().atMost(Duration.ofSeconds(120))
                    .until(() -> !broker.events(command.runId(), RunCompleted.class).isEmpty());
            Thread.sleep(500); // a second completion would show up by now

            List<RunStarted> segments = broker.events(command.runId(), RunStarted.class);
            assertThat(segments).as("segments").hasSizeGreaterThan(2);
            assertThat(segments).extracting(s -> s.run().attempt())
                    .as("each segment is a new delivery of a fresh command: attempts go 1, 2, 3, ...")
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, segments.size()).boxed().toList());
            assertThat(segments.get(0).resumedFromEpoch()).isNull();
            assertThat(segments.subList(1, segments.size())).allSatisfy(s -> assertThat(s.resumedFromEpoch())
                    .isNotNull());
            assertThat(broker.events(command.runId(), RunProgressed.class)).extracting(RunProgressed::epoch)
                    .as("every epoch reported once").containsExactlyElementsOf(
                            IntStream.rangeClosed(1, spec.epochs()).boxed().toList());
            assertThat(broker.events(command.runId(), RunCompleted.class)).hasSize(1);
        }

        var prepared = new MlpForecaster().prepare(command,
                new ByteArrayInputStream(generated.csv().getBytes(StandardCharsets.UTF_8)));
        byte[] uninterrupted = TrainingLoop.train(prepared, spec, null, new TrainingLoop.Listener() {
            @Override
            public void onEpoch(int epochsDone, double trainLoss, double validationLoss, double seconds) {
            }

            @Override
            public void onCheckpoint(TrainingLoop.Snapshot snapshot) {
            }
        }).model();
        assertThat(models.parameters(command.experimentId(), command.runId()).orElseThrow())
                .as("the segmented run's model equals an uninterrupted run's").isEqualTo(uninterrupted);
    }
}
