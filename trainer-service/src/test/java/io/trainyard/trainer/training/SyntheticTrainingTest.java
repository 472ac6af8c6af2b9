package io.trainyard.trainer.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainyard.contracts.DataSpec;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.ModelSpec;
import io.trainyard.contracts.TrainRun;
import io.trainyard.contracts.TrainingSpec;
import io.trainyard.models.PreparedRun;
import io.trainyard.models.synthetic.SyntheticKind;
import io.trainyard.storage.Position;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The synthetic kind in the real loop: it waits its time per epoch, checkpoints, stops and resumes, learns nothing. */
class SyntheticTrainingTest {

    static final TrainingSpec SPEC = new TrainingSpec(3, 16, 1e-3, 9, 1);

    static PreparedRun prepare(double secondsPerEpoch, int steps) {
        TrainRun command = new TrainRun(Messages.SCHEMA_VERSION, UUID.randomUUID(), UUID.randomUUID(), "cpu",
                new DataSpec("any", null, null, "date", "demand"),
                new ModelSpec(SyntheticKind.NAME, Map.of("secondsPerEpoch", secondsPerEpoch, "stepsPerEpoch", steps)),
                SPEC, 0, Instant.now());
        return new SyntheticKind().prepare(command, InputStream.nullInputStream());
    }

    @Test
    void eachEpochTakesAtLeastItsSecondsAndCheckpointsAsARealRunDoes() {
        List<Double> seconds = new ArrayList<>();
        List<Position> checkpoints = new ArrayList<>();
        TrainingLoop.Result result = TrainingLoop.train(prepare(0.25, 5), SPEC, null, new TrainingLoop.Listener() {
            @Override
            public void onEpoch(int epochsDone, double trainLoss, double validationLoss, double epochSeconds) {
                seconds.add(epochSeconds);
                assertThat(trainLoss).isZero();
            }

            @Override
            public void onCheckpoint(TrainingLoop.Snapshot snapshot) {
                checkpoints.add(snapshot.position());
            }
        });
        assertThat(seconds).hasSize(3).allSatisfy(s -> assertThat(s).isGreaterThanOrEqualTo(0.25));
        assertThat(checkpoints).containsExactly(Position.epoch(1), Position.epoch(2));
        assertThat(result.finished()).isTrue();
        assertThat(result.metrics()).isEmpty();
    }

    @Test
    void itStopsBetweenStepsAndResumesToTheSameUnchangedParameters() {
        PreparedRun run = prepare(0.05, 4);
        byte[] oneEpoch = TrainingLoop.train(run, new TrainingSpec(1, 16, 1e-3, 9, 1), null,
                new TrainingLoopTest.Recorder()).parameters();
        TrainingLoopTest.Recorder first = new TrainingLoopTest.Recorder();
        int[] steps = {0};
        TrainingLoop.Result stopped = TrainingLoop.train(run, SPEC, null, first, () -> ++steps[0] == 6);
        assertThat(stopped.stoppedAt()).isEqualTo(new Position(1, 2));
        TrainingLoopTest.Recorder rest = new TrainingLoopTest.Recorder();
        TrainingLoop.Result resumed = TrainingLoop.train(run, SPEC, first.checkpoints.getLast(), rest);
        assertThat(first.losses.size() + rest.losses.size()).isEqualTo(3);
        assertThat(resumed.parameters()).as("zero gradients: nothing is learnt").isEqualTo(oneEpoch);
    }
}
