package io.trainyard.trainer.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainyard.contracts.DataSpec;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.ModelSpec;
import io.trainyard.contracts.TrainRun;
import io.trainyard.contracts.TrainingSpec;
import io.trainyard.models.PreparedRun;
import io.trainyard.models.forecaster.MlpForecaster;
import io.trainyard.storage.Position;
import io.trainyard.storage.demo.CityDemand;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The promise behind resume: same seed, same parameters; checkpoint then resume equals never stopping. */
class TrainingLoopTest {

    static final String CSV = CityDemand.generate("demand", 2, 400, 11).csv();
    static final TrainingSpec SPEC = new TrainingSpec(6, 32, 1e-3, 42, 2);

    static PreparedRun prepared;

    @BeforeAll
    static void prepare() {
        String city = CSV.split("\n")[1].split(",")[1];
        TrainRun command = new TrainRun(Messages.SCHEMA_VERSION, UUID.randomUUID(), UUID.randomUUID(), "cpu",
                new DataSpec("demand", "city", city, "date", "demand"),
                new ModelSpec(MlpForecaster.NAME, Map.of("lags", 7, "hidden", List.of(16, 16))), SPEC, 0,
                Instant.now());
        prepared = new MlpForecaster().prepare(command, new ByteArrayInputStream(CSV.getBytes(StandardCharsets.UTF_8)));
    }

    static class Recorder implements TrainingLoop.Listener {
        final List<Double> losses = new ArrayList<>();
        final List<TrainingLoop.Snapshot> checkpoints = new ArrayList<>();

        @Override
        public void onEpoch(int epochsDone, double trainLoss, double validationLoss, double seconds) {
            losses.add(trainLoss);
        }

        @Override
        public void onCheckpoint(TrainingLoop.Snapshot snapshot) {
            checkpoints.add(snapshot);
        }
    }

    @Test
    void trainingLearnsAndReportsForecastMetrics() {
        Recorder recorder = new Recorder();
        TrainingLoop.Result result = TrainingLoop.train(prepared, SPEC, null, recorder);
        assertThat(recorder.losses).hasSize(6);
        assertThat(recorder.losses.get(5)).isLessThan(recorder.losses.get(0));
        assertThat(result.metrics()).containsKeys("mae", "rmse", "mape");
        assertThat(result.metrics().get("rmse")).isGreaterThanOrEqualTo(result.metrics().get("mae")).isPositive();
        assertThat(recorder.checkpoints).extracting(c -> c.position())
                .containsExactly(Position.epoch(2), Position.epoch(4));
        assertThat(new String(result.model(), 0, 4, StandardCharsets.US_ASCII)).isEqualTo("DJL@");
    }

    @Test
    void sameSeedGivesIdenticalParametersEvenUnderGarbageCollectorPressure() {
        byte[] first = TrainingLoop.train(prepared, SPEC, null, new Recorder()).parameters();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread pressure = new Thread(() -> {
            while (running.get()) {
                byte[][] garbage = new byte[64][];
                for (int i = 0; i < garbage.length; i++) {
                    garbage[i] = new byte[64 * 1024];
                }
                System.gc();
            }
        });
        pressure.start();
        try {
            for (int i = 0; i < 3; i++) {
                assertThat(TrainingLoop.train(prepared, SPEC, null, new Recorder()).parameters()).isEqualTo(first);
            }
        } finally {
            running.set(false);
        }
    }

    @Test
    void resumingFromAnyCheckpointEndsBitIdenticalToAnUninterruptedRun() {
        Recorder uninterrupted = new Recorder();
        byte[] expected = TrainingLoop.train(prepared, SPEC, null, uninterrupted).parameters();
        for (TrainingLoop.Snapshot checkpoint : uninterrupted.checkpoints) {
            Recorder resumed = new Recorder();
            TrainingLoop.Result result = TrainingLoop.train(prepared, SPEC, checkpoint, resumed);
            assertThat(resumed.losses).hasSize(SPEC.epochs() - checkpoint.position().epoch());
            assertThat(result.parameters()).as("resumed at %s", checkpoint.position()).isEqualTo(expected);
        }
    }

    @Test
    void stoppingAtAnyBatchAndResumingEndsBitIdenticalWithTheSameEpochLosses() {
        Recorder uninterrupted = new Recorder();
        byte[] expected = TrainingLoop.train(prepared, SPEC, null, uninterrupted).parameters();
        // Stop after every 7th optimizer step, mid-epoch or not, and continue from each stop in a fresh loop.
        List<Double> losses = new ArrayList<>();
        TrainingLoop.Snapshot resume = null;
        TrainingLoop.Result result;
        int segments = 0;
        do {
            int[] steps = {0};
            Recorder segment = new Recorder();
            result = TrainingLoop.train(prepared, SPEC, resume, segment, () -> ++steps[0] % 7 == 0);
            losses.addAll(segment.losses);
            resume = segment.checkpoints.isEmpty() ? null : segment.checkpoints.getLast();
            segments++;
        } while (!result.finished());
        assertThat(segments).isGreaterThan(SPEC.epochs());
        assertThat(result.parameters()).isEqualTo(expected);
        assertThat(losses).isEqualTo(uninterrupted.losses);
    }

    @Test
    void trainsTheSameOnAFreshThreadAsOnTheThreadThatLoadedTheEngine() throws Exception {
        byte[] here = TrainingLoop.train(prepared, SPEC, null, new Recorder()).parameters();
        byte[][] there = new byte[1][];
        Thread thread = new Thread(() -> there[0] = TrainingLoop.train(prepared, SPEC, null, new Recorder())
                .parameters());
        thread.start();
        thread.join();
        assertThat(there[0]).isEqualTo(here);
    }

    @Test
    void runsTrainedAtOnceInOneProcessDoNotDisturbEachOther() throws Exception {
        byte[] alone = TrainingLoop.train(prepared, SPEC, null, new Recorder()).parameters();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            List<java.util.concurrent.Future<byte[]>> runs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                runs.add(pool.submit(() -> TrainingLoop.train(prepared, SPEC, null, new Recorder()).parameters()));
            }
            for (var run : runs) {
                assertThat(run.get()).isEqualTo(alone);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void resumingWithoutTheOptimizerStateWouldNotBeIdentical() {
        Recorder uninterrupted = new Recorder();
        byte[] expected = TrainingLoop.train(prepared, SPEC, null, uninterrupted).parameters();
        TrainingLoop.Snapshot two = uninterrupted.checkpoints.get(0);
        CheckpointableAdam fresh = new CheckpointableAdam(ai.djl.ndarray.NDManager.newBaseManager(), 1e-3);
        byte[] result = TrainingLoop.train(prepared, SPEC,
                new TrainingLoop.Snapshot(two.position(), two.parameters(), fresh.save(), 0), new Recorder())
                .parameters();
        assertThat(result).isNotEqualTo(expected);
    }

    @Test
    void dataOrderDependsOnSeedAndEpochOnly() {
        assertThat(TrainingLoop.order(100, 42, 3)).isEqualTo(TrainingLoop.order(100, 42, 3));
        assertThat(TrainingLoop.order(100, 42, 3)).isNotEqualTo(TrainingLoop.order(100, 42, 4));
        assertThat(TrainingLoop.order(100, 42, 3)).isNotEqualTo(TrainingLoop.order(100, 43, 3));
        assertThat(TrainingLoop.order(100, 42, 3)).containsExactlyInAnyOrder(TrainingLoop.order(100, 42, 0));
    }
}
