package io.trainyard.trainer.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
    void checkpointsAreWrittenOnAThreadOfTheirOwnWhileTheNextEpochTrainsAndBeforeItEnds() {
        String trainingThread = Thread.currentThread().getName();
        AtomicBoolean epochTwoDone = new AtomicBoolean();
        AtomicInteger boundariesSince = new AtomicInteger();
        CountDownLatch writeStarted = new CountDownLatch(1);
        CountDownLatch stepWhileWriting = new CountDownLatch(1);
        List<String> writers = new CopyOnWriteArrayList<>();
        List<Boolean> sawTrainingGoOn = new CopyOnWriteArrayList<>();
        List<String> happened = new CopyOnWriteArrayList<>();
        TrainingLoop.train(prepared, SPEC, null, new TrainingLoop.Listener() {
            @Override
            public void onEpoch(int epochsDone, double trainLoss, double validationLoss, double seconds) {
                happened.add("epoch " + epochsDone);
                epochTwoDone.compareAndSet(false, epochsDone == 2);
            }

            @Override
            public void onCheckpoint(TrainingLoop.Snapshot snapshot) {
                writers.add(Thread.currentThread().getName());
                if (snapshot.position().equals(Position.epoch(2))) {
                    writeStarted.countDown();
                    // A loop that waited for this write would take no step: the wait would time out.
                    sawTrainingGoOn.add(await(stepWhileWriting));
                }
                happened.add("checkpoint " + snapshot.position().epoch());
            }
        }, () -> {
            // Asked at every batch boundary: the 1st time after epoch 2 at its end, the 2nd after epoch 3's 1st step.
            if (epochTwoDone.get() && boundariesSince.incrementAndGet() == 2 && await(writeStarted)) {
                stepWhileWriting.countDown();
            }
            return false;
        });
        assertThat(sawTrainingGoOn).as("epoch 3 trained while the epoch-2 checkpoint was being written")
                .containsExactly(true);
        assertThat(writers).hasSize(2).doesNotContain(trainingThread);
        assertThat(happened).as("no epoch ends before the checkpoint ahead of it is written: a crash loses at most"
                + " one interval").containsExactly("epoch 1", "epoch 2", "checkpoint 2", "epoch 3", "epoch 4",
                        "checkpoint 4", "epoch 5", "epoch 6");
    }

    @Test
    void trainReturnsOnlyOnceEveryCheckpointIsWrittenAlsoWhenItStopsEarly() {
        List<Position> written = new CopyOnWriteArrayList<>();
        TrainingLoop.Listener slowStorage = new TrainingLoop.Listener() {
            @Override
            public void onEpoch(int epochsDone, double trainLoss, double validationLoss, double seconds) {
            }

            @Override
            public void onCheckpoint(TrainingLoop.Snapshot snapshot) {
                sleep(300);
                written.add(snapshot.position());
            }
        };
        TrainingLoop.train(prepared, SPEC, null, slowStorage);
        assertThat(written).containsExactly(Position.epoch(2), Position.epoch(4));

        written.clear();
        int[] steps = {0};
        TrainingLoop.Result stopped = TrainingLoop.train(prepared, SPEC, null, slowStorage, () -> ++steps[0] == 40);
        assertThat(stopped.finished()).isFalse();
        assertThat(written).as("the stop's checkpoint is written before the run can be handed back")
                .endsWith(stopped.stoppedAt());
    }

    @Test
    void aCheckpointThatCannotBeWrittenFailsTheTraining() {
        AtomicInteger epochs = new AtomicInteger();
        assertThatThrownBy(() -> TrainingLoop.train(prepared, SPEC, null, new TrainingLoop.Listener() {
            @Override
            public void onEpoch(int epochsDone, double trainLoss, double validationLoss, double seconds) {
                epochs.set(epochsDone);
            }

            @Override
            public void onCheckpoint(TrainingLoop.Snapshot snapshot) {
                throw new IllegalStateException("storage unreachable");
            }
        })).isInstanceOf(IllegalStateException.class).hasMessage("storage unreachable");
        assertThat(epochs.get()).as("it stops before the last epoch").isLessThan(SPEC.epochs());
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void dataOrderDependsOnSeedAndEpochOnly() {
        assertThat(TrainingLoop.order(100, 42, 3)).isEqualTo(TrainingLoop.order(100, 42, 3));
        assertThat(TrainingLoop.order(100, 42, 3)).isNotEqualTo(TrainingLoop.order(100, 42, 4));
        assertThat(TrainingLoop.order(100, 42, 3)).isNotEqualTo(TrainingLoop.order(100, 43, 3));
        assertThat(TrainingLoop.order(100, 42, 3)).containsExactlyInAnyOrder(TrainingLoop.order(100, 42, 0));
    }
}
