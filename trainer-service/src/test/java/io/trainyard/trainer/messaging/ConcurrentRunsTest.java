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
import io.trainyard.contracts.RunStarted;
import io.trainyard.contracts.TrainRun;
import io.trainyard.contracts.TrainingSpec;
import io.trainyard.storage.DatasetStore;
import io.trainyard.storage.demo.CityDemand;
import io.trainyard.storage.testing.S3ProxyResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A replica with {@code trainyard.trainer.concurrency=3} trains three runs at the same time, not one after the
 * other. (SmallRye hands a channel's messages to a CompletionStage-returning method one at a time, so without the
 * channel split into copies the setting only raised the prefetch: measured, runs of one replica never overlapped.)
 */
@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
@TestProfile(ConcurrentRunsTest.ThreeSlots.class)
class ConcurrentRunsTest {

    static final String POOL = "test-concurrency";
    static final int SLOTS = 3;

    public static class ThreeSlots implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("trainyard.trainer.concurrency", Integer.toString(SLOTS), "trainyard.trainer.pool", POOL);
        }
    }

    @Inject
    DatasetStore datasets;

    @Test
    void runsOfOneReplicaOverlapUpToItsConcurrency() throws Exception {
        String dataset = "concurrency-" + UUID.randomUUID().toString().substring(0, 8);
        CityDemand.Generated generated = CityDemand.generate(dataset, 1, 60, 5); // synthetic runs do not read it
        datasets.save(generated.meta(), generated.csv());
        UUID experiment = UUID.randomUUID();
        // Each run waits 2 s: one after the other they would take 6 s, at once about 2.
        List<TrainRun> runs = IntStream.range(0, SLOTS).mapToObj(i -> new TrainRun(Messages.SCHEMA_VERSION,
                experiment, UUID.randomUUID(), POOL,
                new DataSpec(dataset, "city", generated.meta().partitions().get(0), "date", "demand"),
                new ModelSpec("synthetic", Map.of("secondsPerEpoch", 1)), new TrainingSpec(2, 1, 1e-3, i, 5), 0,
                Instant.now())).toList();

        try (BrokerProbe broker = new BrokerProbe()) {
            for (TrainRun run : runs) {
                broker.publish(run);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> runs.stream()
                    .allMatch(r -> !broker.events(r.runId(), RunCompleted.class).isEmpty()));

            Instant lastStart = runs.stream().map(r -> broker.events(r.runId(), RunStarted.class).get(0).run().at())
                    .max(Instant::compareTo).orElseThrow();
            Instant firstEnd = runs.stream().map(r -> broker.events(r.runId(), RunCompleted.class).get(0).run().at())
                    .min(Instant::compareTo).orElseThrow();
            assertThat(lastStart).as("every run started before any finished: all %d trained at once", SLOTS)
                    .isBefore(firstEnd);
            assertThat(runs).allSatisfy(r -> assertThat(broker.events(r.runId(), RunCompleted.class)).hasSize(1));
        }
    }
}
