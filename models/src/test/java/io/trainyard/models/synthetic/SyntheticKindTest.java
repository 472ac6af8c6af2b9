package io.trainyard.models.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trainyard.contracts.DataSpec;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.ModelSpec;
import io.trainyard.contracts.TrainRun;
import io.trainyard.contracts.TrainingSpec;
import io.trainyard.models.InvalidInputException;
import io.trainyard.models.InvalidRunException;
import io.trainyard.models.PreparedRun;
import java.io.InputStream;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The synthetic kind: one batch of zeros per step, a wait after each, no metrics, nothing to predict. */
class SyntheticKindTest {

    static PreparedRun prepare(Map<String, Object> hyperparameters, int batchSize) {
        TrainRun command = new TrainRun(Messages.SCHEMA_VERSION, UUID.randomUUID(), UUID.randomUUID(), "cpu",
                new DataSpec("any", null, null, "date", "demand"), new ModelSpec(SyntheticKind.NAME, hyperparameters),
                new TrainingSpec(3, batchSize, 1e-3, 1, 1), 0, Instant.now());
        return new SyntheticKind().prepare(command, InputStream.nullInputStream());
    }

    @Test
    void eachEpochIsStepsPerEpochBatchesAndEachStepWaitsItsShare() {
        PreparedRun run = prepare(Map.of("secondsPerEpoch", 0.2, "stepsPerEpoch", 4), 8);
        assertThat(run.train().size()).isEqualTo(4 * 8);
        assertThat(run.train().x()).containsOnly(0f);
        long start = System.nanoTime();
        for (int i = 0; i < 4; i++) {
            run.afterStep(start, i + 1);
        }
        assertThat((System.nanoTime() - start) / 1e9).isGreaterThanOrEqualTo(0.2);
        assertThat(run.metrics(new float[1], new float[1])).isEmpty();
        assertThat(run.describe()).containsEntry("synthetic", true)
                .hasEntrySatisfying("note", note -> assertThat(note.toString()).startsWith("not machine learning"));
    }

    @Test
    void theStepsOwnComputeCountsTowardsTheEpochsTime() {
        PreparedRun run = prepare(Map.of("secondsPerEpoch", 10, "stepsPerEpoch", 2), 8);
        // The first step's share (5 s) ran out while the step itself computed: nothing is left to wait.
        long epochStarted = System.nanoTime() - 6_000_000_000L;
        long start = System.nanoTime();
        run.afterStep(epochStarted, 1);
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(1);
    }

    @Test
    void itPredictsNothingAndSaysWhy() {
        assertThatThrownBy(() -> new SyntheticKind().load(Map.of(), new byte[0]).predict(Map.of("values", 1)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("not machine learning");
    }

    @Test
    void hyperparametersAreChecked() {
        assertThatThrownBy(() -> prepare(Map.of("secondsPerEpoch", -1), 8)).isInstanceOf(InvalidRunException.class)
                .hasMessageContaining("secondsPerEpoch");
        assertThatThrownBy(() -> prepare(Map.of("stepsPerEpoch", 100_000), 64))
                .hasMessageContaining("stepsPerEpoch (100000) x training.batchSize (64) is 6400000");
        assertThatThrownBy(() -> prepare(Map.of("lags", 3), 8)).hasMessageContaining("(known: secondsPerEpoch");
    }
}
