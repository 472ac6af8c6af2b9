package io.trainyard.trainer.training;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;
import io.trainyard.contracts.TrainingSpec;
import io.trainyard.models.PreparedRun;
import io.trainyard.models.Samples;
import io.trainyard.storage.ModelStore;
import io.trainyard.storage.Position;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Trains a {@link PreparedRun} from the seed or from a checkpoint, deterministically.
 *
 * <p>Everything random derives from the run's seed: the initial weights from {@code seed}, the data order of
 * epoch {@code e} from {@code (seed, e)}. With the optimizer's state in the checkpoint, a run resumed at any
 * checkpoint ends with the same parameters, bit for bit, as one that never stopped.
 *
 * <p>The loop is DJL's ({@code forward → backward → step}) written out instead of {@code EasyTrain}, because the
 * optimizer must be {@link CheckpointableAdam} and the parameters must be loaded before training starts.
 *
 * <p>Kept off the training thread's critical path (bench/overhead.sh measures what is left): a checkpoint is copied
 * to bytes on the training thread, which is quick, and handed to the listener on a thread of its own, so writing it
 * to storage overlaps the next epoch; the batch losses are summed on the engine and read once per epoch.
 */
public final class TrainingLoop {

    /** Hooks the loop calls: {@code onEpoch} on the training thread, {@code onCheckpoint} on a checkpoint thread. */
    public interface Listener {
        /** After each epoch, on the training thread; {@code epochsDone} counts from 1. */
        void onEpoch(int epochsDone, double trainLoss, double validationLoss, double seconds);

        /**
         * When {@link TrainingSpec#checkpointDue} says so at the end of an epoch (except after the last one: the
         * final model replaces it), and where the loop stops early.
         *
         * <p>Called on the run's checkpoint thread while the next epoch trains: one call at a time, in order. The
         * loop waits for the call to return before it finishes that next epoch (so a crash loses no more finished
         * epochs than with a write on the training thread: one checkpoint interval), and {@code train} returns only
         * after every call has returned, so a stop's checkpoint is written before the caller hands the run back. An
         * exception thrown here ends training: {@code train} throws it at the end of that next epoch.
         */
        void onCheckpoint(Snapshot snapshot);
    }

    /**
     * Everything needed to continue from {@code position}: the parameters, the optimizer's state and the summed
     * loss of the batches already done in a part-done epoch (so that epoch's reported loss is unchanged).
     */
    public record Snapshot(Position position, byte[] parameters, byte[] optimizer, double epochLossSum) {
    }

    /**
     * How the loop ended.
     *
     * @param stoppedAt  null when the run finished; else where it stopped (a snapshot of it was checkpointed)
     * @param metrics    final metrics (finished runs only)
     * @param model      the final model in DJL's file format, {@code Model.load} reads it (finished runs only)
     * @param parameters the final parameters as {@code Block.saveParameters} writes them (for comparisons)
     */
    public record Result(Position stoppedAt, Map<String, Double> metrics, byte[] model, byte[] parameters) {
        public boolean finished() {
            return stoppedAt == null;
        }
    }

    /**
     * DJL's PyTorch gradient collector is process-wide: a second one opened while another thread collects throws.
     * Runs trained at once in one replica ({@code trainyard.trainer.concurrency} > 1) take turns per step.
     */
    private static final ReentrantLock COLLECTING = new ReentrantLock();

    private TrainingLoop() {
    }

    /** Trains to the end without stopping early. */
    public static Result train(PreparedRun run, TrainingSpec spec, Snapshot resume, Listener listener) {
        return train(run, spec, resume, listener, () -> false);
    }

    /**
     * Trains from {@code resume} (null: from the seed) until the last epoch, or until {@code stop} answers true
     * at a batch boundary: then the loop checkpoints where it is and returns {@link Result#stoppedAt()}.
     */
    public static Result train(PreparedRun run, TrainingSpec spec, Snapshot resume, Listener listener,
            BooleanSupplier stop) {
        try (NDManager manager = NDManager.newBaseManager();
                CheckpointWriter writer = new CheckpointWriter(listener)) {
            recordGradientsOnlyInsideCollectors(manager.getEngine());
            Block block = run.newBlock();
            block.setInitializer(new SeededXavier(spec.seed()), Parameter.Type.WEIGHT);
            block.initialize(manager, DataType.FLOAT32, run.inputShape());
            CheckpointableAdam adam = new CheckpointableAdam(manager, spec.learningRate());
            Position start = Position.epoch(0);
            double resumedLoss = 0;
            if (resume != null) {
                loadParameters(block, manager, resume.parameters());
                adam.load(resume.optimizer());
                start = resume.position();
                resumedLoss = resume.epochLossSum();
            }
            ParameterStore parameters = new ParameterStore(manager, false);
            Samples train = run.train();
            int batches = (train.size() + spec.batchSize() - 1) / spec.batchSize();
            long lastCheckpoint = System.nanoTime(); // for checkpointEverySeconds: the resume point counts as one
            for (int epoch = start.epoch(); epoch < spec.epochs(); epoch++) {
                long started = System.nanoTime();
                int[] order = order(train.size(), spec.seed(), epoch);
                boolean resumedHere = epoch == start.epoch();
                // The epoch's summed batch loss stays on the engine: reading it every batch costs a copy and a
                // native call per step. Summed in float32 from the resumed value (itself a float), so a resumed
                // epoch reports the same loss as an uninterrupted one. A new array each epoch: a NaN stays in its own.
                NDArray lossSum = manager.create(resumedHere ? (float) resumedLoss : 0f);
                int firstBatch = resumedHere ? start.batch() : 0;
                for (int batch = firstBatch; batch < batches; batch++) {
                    step(run, block, parameters, adam, train, order, batch, spec.batchSize(), manager, lossSum);
                    run.afterStep(started, batch - firstBatch + 1);
                    if (batch + 1 < batches && stop.getAsBoolean()) {
                        return stopAt(new Position(epoch, batch + 1), lossSum.getFloat(), block, adam, writer);
                    }
                }
                double validation = run.validationLoss(manager, block, parameters);
                // A checkpoint's write overlaps one epoch, no more: an epoch counts as done only once the checkpoint
                // before it is stored, so a crash still loses at most one checkpoint interval of finished epochs.
                writer.finish();
                int done = epoch + 1;
                double trainLoss = (double) lossSum.getFloat() / batches;
                lossSum.close();
                listener.onEpoch(done, trainLoss, validation, (System.nanoTime() - started) / 1e9);
                if (done == spec.epochs()) {
                    break;
                }
                if (stop.getAsBoolean()) {
                    return stopAt(Position.epoch(done), 0, block, adam, writer);
                }
                if (spec.checkpointDue(done, (System.nanoTime() - lastCheckpoint) / 1e9)) {
                    writer.write(new Snapshot(Position.epoch(done), saveParameters(block), adam.save(), 0));
                    lastCheckpoint = System.nanoTime();
                }
            }
            float[] predictions = predict(block, parameters, manager, run.validation());
            Result result = new Result(null, run.metrics(predictions, run.validation().y()), saveModel(block),
                    saveParameters(block));
            writer.finish();
            return result;
        }
    }

    /** Checkpoints where the loop stops early, waits until that checkpoint is written, and says where it stopped. */
    private static Result stopAt(Position position, double epochLossSum, Block block, CheckpointableAdam adam,
            CheckpointWriter writer) {
        Snapshot snapshot = new Snapshot(position, saveParameters(block), adam.save(), epochLossSum);
        writer.write(snapshot);
        writer.finish();
        return new Result(position, null, null, snapshot.parameters());
    }

    /** One optimizer step on batch {@code batch} of the epoch's {@code order}; adds its loss to {@code lossSum}. */
    private static void step(PreparedRun run, Block block, ParameterStore parameters, CheckpointableAdam adam,
            Samples train, int[] order, int batch, int batchSize, NDManager manager, NDArray lossSum) {
        int features = train.features();
        int from = batch * batchSize;
        int size = Math.min(batchSize, order.length - from);
        float[] x = new float[size * features];
        float[] y = new float[size];
        for (int i = 0; i < size; i++) {
            int sample = order[from + i];
            System.arraycopy(train.x(), sample * features, x, i * features, features);
            y[i] = train.y()[sample];
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray input = scope.create(x, new Shape(size, features));
            NDArray label = scope.create(y, new Shape(size));
            NDArray loss;
            COLLECTING.lock();
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                NDArray prediction = block.forward(parameters, new NDList(input), true).singletonOrThrow();
                loss = run.loss(prediction, label);
                collector.backward(loss);
            } finally {
                COLLECTING.unlock();
            }
            for (Pair<String, Parameter> p : block.getParameters()) {
                NDArray weight = p.getValue().getArray();
                try (NDArray gradient = weight.getGradient()) {
                    adam.update(p.getKey(), weight, gradient); // which also zeroes the gradient for the next batch
                }
            }
            lossSum.addi(loss);
        }
    }

    /**
     * PyTorch's gradient mode is per thread and on by default in a new thread (DJL turns it off only on the thread
     * that loads the engine). The optimizer updates parameters in place, which PyTorch refuses while recording.
     * A {@link GradientCollector} turns recording on and, since it was off when it opened, off again on close.
     */
    private static void recordGradientsOnlyInsideCollectors(Engine engine) {
        if ("PyTorch".equals(engine.getEngineName())) {
            JniUtils.setGradMode(false);
        }
    }

    /** The data order of {@code epoch}: a Fisher–Yates shuffle seeded by (seed, epoch) alone. */
    static int[] order(int size, long seed, int epoch) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed).split();
        random = new SplittableRandom(random.nextLong() ^ (0x9E3779B97F4A7C15L * (epoch + 1)));
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    static float[] predict(Block block, ParameterStore parameters, NDManager manager, Samples samples) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray input = scope.create(samples.x(), new Shape(samples.size(), samples.features()));
            return block.forward(parameters, new NDList(input), false).singletonOrThrow().toFloatArray();
        }
    }

    private static byte[] saveParameters(Block block) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            block.saveParameters(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void loadParameters(Block block, NDManager manager, byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            block.loadParameters(manager, in);
        } catch (IOException | MalformedModelException e) {
            throw new IllegalArgumentException("checkpoint parameters do not fit the model: " + e.getMessage(), e);
        }
        // Loaded arrays are new and do not record gradients until told to.
        for (Pair<String, Parameter> p : block.getParameters()) {
            p.getValue().getArray().setRequiresGradient(true);
        }
    }

    /** The model in DJL's own file format, via {@code Model.save} (it only writes to a directory). */
    private static byte[] saveModel(Block block) {
        Path dir = null;
        try (Model model = Model.newInstance(ModelStore.MODEL_NAME)) {
            model.setBlock(block);
            dir = Files.createTempDirectory("trainyard-model-");
            model.save(dir, ModelStore.MODEL_NAME);
            return Files.readAllBytes(dir.resolve(ModelStore.MODEL_NAME + "-0000.params"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (dir != null) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (IOException ignored) {
                    // a temp dir left behind is harmless
                }
            }
        }
    }

    /**
     * Hands snapshots to {@link Listener#onCheckpoint} on a thread of the run's own, one at a time and in order; the
     * loop waits for each before it finishes the next epoch (see there). A single-thread executor is all it takes;
     * a thread per delivery is nothing next to a training run.
     */
    private static final class CheckpointWriter implements AutoCloseable {
        private final Listener listener;
        private final ExecutorService thread;
        private Future<?> writing;

        CheckpointWriter(Listener listener) {
            this.listener = listener;
            this.thread = Executors.newSingleThreadExecutor(
                    Thread.ofPlatform().name("trainyard-checkpoint").daemon().factory());
        }

        /** Hands {@code snapshot} over once the one before it is written (throwing that one's failure). */
        void write(Snapshot snapshot) {
            finish();
            writing = thread.submit(() -> listener.onCheckpoint(snapshot));
        }

        /** Waits until every checkpoint handed over is written; throws what writing it threw. */
        void finish() {
            if (writing == null) {
                return;
            }
            Future<?> pending = writing;
            writing = null;
            try {
                awaitUninterruptibly(pending);
            } catch (ExecutionException e) {
                switch (e.getCause()) {
                    case RuntimeException r -> throw r;
                    case Error error -> throw error;
                    default -> throw new IllegalStateException("checkpoint failed: " + e.getCause(), e.getCause());
                }
            }
        }

        /**
         * On the way out of a training that failed: a checkpoint being written is let finish (an upload cut off
         * half-way helps nobody, and a stale one is fenced by its attempt); its own failure is not thrown over the
         * one already on its way.
         */
        @Override
        public void close() {
            try {
                if (writing != null) {
                    awaitUninterruptibly(writing);
                }
            } catch (ExecutionException ignored) {
                // the listener reports its own failures (RunProcessor counts them); training's outcome goes first
            } finally {
                writing = null;
                thread.shutdown();
            }
        }

        /** Waits even when interrupted (a drain interrupts nothing, but a shutdown may), keeping the interrupt. */
        private static void awaitUninterruptibly(Future<?> future) throws ExecutionException {
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        future.get();
                        return;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * Xavier-uniform weights drawn from the run's seed, in parameter order, so initialisation does not depend on
     * the engine's global random state (which other runs in the process share).
     */
    private static final class SeededXavier implements Initializer {
        private final SplittableRandom random;

        SeededXavier(long seed) {
            this.random = new SplittableRandom(seed);
        }

        @Override
        public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
            long fanOut = shape.get(0);
            long fanIn = shape.dimension() > 1 ? shape.size() / fanOut : fanOut;
            double limit = Math.sqrt(6.0 / (fanIn + fanOut));
            float[] values = new float[Math.toIntExact(shape.size())];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
            }
            return manager.create(values, shape).toType(dataType, false);
        }
    }
}
