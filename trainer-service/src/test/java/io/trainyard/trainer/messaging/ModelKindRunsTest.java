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
import io.trainyard.models.synthetic.SyntheticKind;
import io.trainyard.models.tabular.TabularKind;
import io.trainyard.storage.DatasetMeta;
import io.trainyard.storage.DatasetStore;
import io.trainyard.storage.ModelStore;
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

/** The tabular and synthetic kinds through the trainer's whole protocol: real broker, real S3. */
@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
class ModelKindRunsTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    DatasetStore datasets;
    @Inject
    ModelStore models;

    BrokerProbe broker;
    String datasetId;

    @BeforeEach
    void setUp() throws Exception {
        broker = new BrokerProbe();
        datasetId = "table-" + UUID.randomUUID().toString().substring(0, 8);
        StringBuilder csv = new StringBuilder("shop,size,kind,sales\n");
        for (int i = 0; i < 120; i++) {
            String shop = i % 2 == 0 ? "a" : "b";
            double size = (i * 7) % 30;
            String kind = i % 3 == 0 ? "corner" : "mall";
            csv.append(shop).append(',').append(size).append(',').append(kind).append(',')
                    .append(2 * size + (kind.equals("mall") ? 10 : 0)).append('\n');
        }
        datasets.save(new DatasetMeta(datasetId, 120, List.of(new DatasetMeta.Column("shop", "string"),
                new DatasetMeta.Column("size", "number"), new DatasetMeta.Column("kind", "string"),
                new DatasetMeta.Column("sales", "number")), "shop", List.of("a", "b"), csv.length(), Instant.now()),
                csv.toString());
    }

    @AfterEach
    void tearDown() throws Exception {
        broker.close();
    }

    TrainRun command(ModelSpec model, TrainingSpec training) {
        return new TrainRun(Messages.SCHEMA_VERSION, UUID.randomUUID(), UUID.randomUUID(),
                CommandListenerTest.POOL, new DataSpec(datasetId, "shop", "a", "date", "sales"), model, training, 0,
                Instant.now());
    }

    @Test
    void aTabularRunTrainsOnItsPartitionAndStoresALoadableModel() throws Exception {
        ModelSpec model = new ModelSpec(TabularKind.NAME, Map.of("target", "sales", "features", List.of("size",
                "kind"), "hidden", List.of(8)));
        TrainRun command = command(model, new TrainingSpec(4, 16, 1e-2, 3, 2));
        broker.publish(command);

        await().atMost(WAIT).until(() -> !broker.events(command.runId(), RunCompleted.class).isEmpty());
        RunStarted started = broker.events(command.runId(), RunStarted.class).getFirst();
        assertThat(started.model()).as("the run's resolved hyperparameters travel with run.started")
                .isEqualTo(model);
        assertThat(started.data().partition()).isEqualTo("a");
        assertThat(broker.events(command.runId(), RunProgressed.class)).hasSize(4);
        assertThat(broker.events(command.runId(), RunCompleted.class).getFirst().metrics())
                .containsKeys("mae", "rmse", "r2");
        Map<String, Object> metadata = models.metadata(command.experimentId(), command.runId()).orElseThrow();
        assertThat(metadata).containsEntry("kind", TabularKind.NAME);
        @SuppressWarnings("unchecked")
        Map<String, Object> described = (Map<String, Object>) metadata.get("model");
        assertThat(described).containsEntry("trainRows", 48).containsEntry("holdoutRows", 12);
        try (var loaded = new TabularKind().load(metadata,
                models.parameters(command.experimentId(), command.runId()).orElseThrow())) {
            assertThat((List<?>) loaded.predict(Map.of("rows", List.of(Map.of("size", 3, "kind", "mall"))))
                    .get("predictions")).hasSize(1);
        }
    }

    @Test
    void aTabularRunThatCanNeverWorkFailsAtOnceWithWhatToFix() throws Exception {
        TrainRun command = command(new ModelSpec(TabularKind.NAME, Map.of("target", "sales", "features", "date")),
                new TrainingSpec(2, 16, 1e-2, 3, 1));
        broker.publish(command);
        await().atMost(WAIT).until(() -> !broker.events(command.runId(), RunFailed.class).isEmpty());
        assertThat(broker.events(command.runId(), RunFailed.class).getFirst().reason())
                .contains("feature 'date' is not a column", "shop, size, kind, sales");
    }

    @Test
    void aSyntheticRunGoesThroughTheSameProtocolAndSaysItIsNotMachineLearning() throws Exception {
        TrainRun command = command(new ModelSpec(SyntheticKind.NAME, Map.of("secondsPerEpoch", 0.2,
                "stepsPerEpoch", 2)), new TrainingSpec(3, 8, 1e-3, 1, 1));
        broker.publish(command);

        await().atMost(WAIT).until(() -> !broker.events(command.runId(), RunCompleted.class).isEmpty());
        assertThat(broker.events(command.runId(), RunProgressed.class)).extracting(RunProgressed::epoch)
                .containsExactly(1, 2, 3);
        assertThat(broker.events(command.runId(), RunProgressed.class))
                .allSatisfy(p -> assertThat(p.epochSeconds()).isGreaterThanOrEqualTo(0.2));
        assertThat(broker.events(command.runId(), RunCheckpointed.class)).extracting(RunCheckpointed::epoch)
                .containsExactly(1, 2);
        assertThat(broker.events(command.runId(), RunCompleted.class).getFirst().metrics()).isEmpty();
        @SuppressWarnings("unchecked")
        Map<String, Object> described = (Map<String, Object>) models.metadata(command.experimentId(),
                command.runId()).orElseThrow().get("model");
        assertThat(described).containsEntry("synthetic", true);
        assertThat(described.get("note").toString()).startsWith("not machine learning");
    }
}
