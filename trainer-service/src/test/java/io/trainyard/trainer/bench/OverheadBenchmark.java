package io.trainyard.trainer.bench;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.trainyard.contracts.DataSpec;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.ModelSpec;
import io.trainyard.contracts.TrainRun;
import io.trainyard.contracts.TrainingSpec;
import io.trainyard.models.PreparedRun;
import io.trainyard.models.Samples;
import io.trainyard.models.forecaster.MlpForecaster;
import io.trainyard.storage.Checkpoint;
import io.trainyard.storage.CheckpointStore;
import io.trainyard.storage.Position;
import io.trainyard.storage.demo.CityDemand;
import io.trainyard.storage.testing.S3ProxyServer;
import io.trainyard.trainer.training.TrainingLoop;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark (not a test): the platform's training loop against DJL's plain loop on the same model, data, loss,
 * batch size, optimizer and validation, in one process, taking turns. What each side does is in bench/overhead.sh.
 *
 * <p>Arguments: rounds (default 7), epochs (10), days of data (7300: 5,821 training windows, 91 batches an epoch),
 * checkpointEvery (2), hidden units of each of the two layers (512). Prints samples per second of each side per
 * round and the median of the rounds' ratios.
 */
public final class OverheadBenchmark {

    private static final int BATCH = 64;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int days = args.length > 2 ? Integer.parseInt(args[2]) : 7300;
        int checkpointEvery = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int hidden = args.length > 4 ? Integer.parseInt(args[4]) : 512;
        String csv = CityDemand.generate("bench", 1, days, 1).csv();
        String city = csv.split("\n")[1].split(",")[1];
        TrainingSpec spec = new TrainingSpec(epochs, BATCH, 1e-3, 42, checkpointEvery);
        TrainRun command = new TrainRun(Messages.SCHEMA_VERSION, UUID.randomUUID(), UUID.randomUUID(), "cpu",
                new DataSpec("bench", "city", city, "date", "demand"),
                new ModelSpec(MlpForecaster.NAME, Map.of("lags", 24, "hidden", List.of(hidden, hidden))), spec, 0,
                Instant.now());
        PreparedRun prepared = new MlpForecaster().prepare(command,
                new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)));
        long samples = (long) prepared.train().size() * epochs;
        System.out.printf("MLP 24-%d-%d-1, %d training and %d validation windows, batch %d, %d epochs, checkpoint"
                + " every %d; %d cores, load average %s%n", hidden, hidden, prepared.train().size(),
                prepared.validation().size(), BATCH, epochs, checkpointEvery,
                Runtime.getRuntime().availableProcessors(), loadAverage());

        try (S3ProxyServer s3 = S3ProxyServer.start()) {
            int nice = Integer.getInteger("bench.s3Nice", 19);
            if (nice != 0) {
                lowerPriorityOfChildren(nice);
            }
            Platform stored = new Platform(prepared, spec, new CheckpointStore(s3.newBucket(), 3), command);
            Platform unstored = new Platform(prepared, spec, null, command);
            Runnable bare = () -> bare(prepared, spec);
            // warm-up of each (engine, JIT, S3 connections), so none pays for a first use
            for (int i = 0; i < 2; i++) {
                stored.train();
                unstored.train();
                bare.run();
            }
            int s3Warmup = Integer.getInteger("bench.s3Warmup", 200);
            // With checkpointEvery at or past the last epoch no checkpoint is written, and there is nothing to warm.
            if (s3Warmup > 0 && stored.last != null) {
                long started = System.nanoTime();
                long cpu = childrenCpuNanos();
                stored.warmStorage(s3Warmup);
                System.out.printf("S3 server warmed up with %d checkpoint writes in %.1f s (its CPU: %.1f ms per"
                        + " checkpoint)%n", s3Warmup, (System.nanoTime() - started) / 1e9,
                        (childrenCpuNanos() - cpu) / 1e6 / s3Warmup);
            }
            stored.resetCounts();
            long serverCpu = childrenCpuNanos();
            Map<String, List<Double>> rates = new LinkedHashMap<>();
            List<Double> ratios = new ArrayList<>();
            List<Double> unstoredRatios = new ArrayList<>();
            List<Double> cpuRatios = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                // Each side goes first, second and third in turn, so none always runs right after another's garbage.
                Map<String, Runnable> sides = new LinkedHashMap<>();
                sides.put("platform", stored::train);
                sides.put("unstored", unstored::train);
                sides.put("bare", bare);
                List<String> order = new ArrayList<>(sides.keySet());
                Collections.rotate(order, round % 3);
                Map<String, Timed> timed = new LinkedHashMap<>();
                for (String side : order) {
                    timed.put(side, timed(sides.get(side)));
                }
                stored.cleanUp();
                Timed p = timed.get("platform");
                Timed u = timed.get("unstored");
                Timed b = timed.get("bare");
                timed.forEach((side, t) -> rates.computeIfAbsent(side, k -> new ArrayList<>())
                        .add(samples / t.seconds));
                ratios.add(b.seconds / p.seconds);
                unstoredRatios.add(b.seconds / u.seconds);
                cpuRatios.add(b.cpuSeconds / p.cpuSeconds);
                System.out.printf("round %d: platform %.0f, platform with checkpoints not stored %.0f, bare DJL %.0f"
                        + " samples/s; ratio %.3f (not stored %.3f; by the training thread's CPU time %.3f)%n", round,
                        samples / p.seconds, samples / u.seconds, samples / b.seconds, b.seconds / p.seconds,
                        b.seconds / u.seconds, b.cpuSeconds / p.cpuSeconds);
            }
            long written = stored.checkpoints.get();
            System.out.printf("checkpoints: %d written to S3, %.1f ms each (checkpoint thread: %.1f ms CPU; the S3"
                    + " server, on the same cores: %.1f ms CPU)%n", written,
                    stored.checkpointNanos.get() / 1e6 / written, stored.checkpointCpuNanos.get() / 1e6 / written,
                    (childrenCpuNanos() - serverCpu) / 1e6 / written);
            System.out.printf("median of %d rounds: platform %.0f, not stored %.0f, bare DJL %.0f samples/s; ratio"
                    + " %.3f (rounds %.3f..%.3f; not stored %.3f; by the training thread's CPU time %.3f); load"
                    + " average %s%n", rounds, median(rates.get("platform")), median(rates.get("unstored")),
                    median(rates.get("bare")), median(ratios), Collections.min(ratios), Collections.max(ratios),
                    median(unstoredRatios), median(cpuRatios), loadAverage());
        }
    }

    /**
     * The platform's loop, checkpointing as the trainer does (RunProcessor's listener, less the broker): to S3, or,
     * with no store, nowhere (the snapshot is still taken on the training thread), to tell storage's cost apart.
     */
    static final class Platform {
        final PreparedRun prepared;
        final TrainingSpec spec;
        final CheckpointStore store;
        final TrainRun command;
        final AtomicLong checkpoints = new AtomicLong();
        final AtomicLong checkpointNanos = new AtomicLong();
        final AtomicLong checkpointCpuNanos = new AtomicLong();
        /** The last checkpoint written, as the bytes to warm the S3 server up with. */
        volatile TrainingLoop.Snapshot last;

        Platform(PreparedRun prepared, TrainingSpec spec, CheckpointStore store, TrainRun command) {
            this.prepared = prepared;
            this.spec = spec;
            this.store = store;
            this.command = command;
        }

        void resetCounts() {
            checkpoints.set(0);
            checkpointNanos.set(0);
            checkpointCpuNanos.set(0);
        }

        void train() {
            TrainingLoop.train(prepared, spec, null, new TrainingLoop.Listener() {
                @Override
                public void onEpoch(int epochsDone, double trainLoss, double validationLoss, double seconds) {
                }

                @Override
                public void onCheckpoint(TrainingLoop.Snapshot snapshot) {
                    if (store == null) {
                        return;
                    }
                    last = snapshot;
                    long started = System.nanoTime();
                    long cpu = THREADS.getCurrentThreadCpuTime();
                    store.save(new Checkpoint(command.experimentId(), command.runId(), snapshot.position(), 1,
                            snapshot.parameters(), snapshot.optimizer(), Map.of("epochLossSum",
                                    snapshot.epochLossSum())));
                    checkpointCpuNanos.addAndGet(THREADS.getCurrentThreadCpuTime() - cpu);
                    checkpointNanos.addAndGet(System.nanoTime() - started);
                    checkpoints.incrementAndGet();
                }
            });
        }

        /**
         * Writes {@code saves} checkpoints of the real size to a run of its own, then deletes them; not timed. The
         * S3 server is a JVM started with the benchmark: fresh, it used about twice the CPU per checkpoint (107 ms
         * against 55 ms after 200 writes, 2026-11-24), on the same cores as the training thread. A deployment's
         * storage (MinIO) is a long-running server.
         */
        void warmStorage(int saves) {
            UUID run = UUID.randomUUID();
            for (int i = 1; i <= saves; i++) {
                store.save(new Checkpoint(command.experimentId(), run, Position.epoch(i), 1, last.parameters(),
                        last.optimizer(), Map.of("epochLossSum", 0.0)));
            }
            store.deleteAll(command.experimentId(), run);
        }

        /** As after a finished run; not timed. */
        void cleanUp() {
            store.deleteAll(command.experimentId(), command.runId());
        }
    }

    /**
     * DJL's plain training loop, as its examples write it: a {@link Trainer} with DJL's Adam and the run's loss
     * function, and per batch {@code forward → loss → backward} in a gradient collector, then {@code trainer.step()};
     * the validation loss after each epoch with {@code trainer.evaluate}. Batches are assembled as the platform
     * does (a shuffled order, rows copied into one array per batch), so neither side differs in data handling: DJL's
     * {@code ArrayDataset}/{@code EasyTrain.fit} would add its own batching cost to the reference.
     */
    static void bare(PreparedRun prepared, TrainingSpec spec) {
        Samples train = prepared.train();
        Samples validation = prepared.validation();
        int features = train.features();
        Loss loss = new Loss("loss") {
            @Override
            public NDArray evaluate(NDList labels, NDList predictions) {
                return prepared.loss(predictions.singletonOrThrow(), labels.singletonOrThrow());
            }
        };
        DefaultTrainingConfig config = new DefaultTrainingConfig(loss)
                .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) spec.learningRate()))
                        .build());
        try (Model model = Model.newInstance("bare")) {
            model.setBlock(prepared.newBlock());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(prepared.inputShape());
                NDManager manager = trainer.getManager();
                SplittableRandom random = new SplittableRandom(spec.seed());
                int[] order = new int[train.size()];
                for (int i = 0; i < order.length; i++) {
                    order[i] = i;
                }
                for (int epoch = 0; epoch < spec.epochs(); epoch++) {
                    for (int i = order.length - 1; i > 0; i--) {
                        int j = random.nextInt(i + 1);
                        int t = order[i];
                        order[i] = order[j];
                        order[j] = t;
                    }
                    for (int from = 0; from < order.length; from += spec.batchSize()) {
                        int size = Math.min(spec.batchSize(), order.length - from);
                        float[] x = new float[size * features];
                        float[] y = new float[size];
                        for (int i = 0; i < size; i++) {
                            System.arraycopy(train.x(), order[from + i] * features, x, i * features, features);
                            y[i] = train.y()[order[from + i]];
                        }
                        try (NDManager batch = manager.newSubManager()) {
                            NDList input = new NDList(batch.create(x, new Shape(size, features)));
                            NDList label = new NDList(batch.create(y, new Shape(size)));
                            try (GradientCollector collector = trainer.newGradientCollector()) {
                                collector.backward(loss.evaluate(label, trainer.forward(input)));
                            }
                            trainer.step();
                        }
                    }
                    try (NDManager batch = manager.newSubManager()) {
                        NDList input = new NDList(batch.create(validation.x(),
                                new Shape(validation.size(), features)));
                        NDList label = new NDList(batch.create(validation.y(), new Shape(validation.size())));
                        loss.evaluate(label, trainer.evaluate(input)).getFloat();
                    }
                }
            }
        }
    }

    /** Wall and CPU time of the calling thread, on which both loops train (one intra-op thread, see overhead.sh). */
    record Timed(double seconds, double cpuSeconds) {
    }

    private static Timed timed(Runnable training) {
        long cpu = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        training.run();
        return new Timed((System.nanoTime() - start) / 1e9, (THREADS.getCurrentThreadCpuTime() - cpu) / 1e9);
    }

    /**
     * Runs the S3 server (this process's child) at a lower CPU priority: in a deployment storage is served from
     * other machines, here it shares the two cores with the training thread, which should not wait for it.
     */
    private static void lowerPriorityOfChildren(int nice) throws Exception {
        for (ProcessHandle child : ProcessHandle.current().children().toList()) {
            int exit = new ProcessBuilder("renice", "-n", String.valueOf(nice), "-p", String.valueOf(child.pid()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            System.out.printf("S3 server (pid %d) at nice %d%s%n", child.pid(), nice,
                    exit == 0 ? "" : ": renice failed");
        }
    }

    /** CPU time of this process's children: the S3 server. */
    private static long childrenCpuNanos() {
        return ProcessHandle.current().children()
                .mapToLong(child -> child.info().totalCpuDuration().map(Duration::toNanos).orElse(0L)).sum();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (Exception e) {
            return "unknown";
        }
    }
}
