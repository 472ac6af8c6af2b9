package io.trainyard.models.synthetic;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.trainyard.contracts.TrainRun;
import io.trainyard.models.Hyperparameters;
import io.trainyard.models.InvalidInputException;
import io.trainyard.models.InvalidRunException;
import io.trainyard.models.LoadedModel;
import io.trainyard.models.Mlp;
import io.trainyard.models.ModelKind;
import io.trainyard.models.PreparedRun;
import io.trainyard.models.Samples;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * NOT MACHINE LEARNING: a stand-in for orchestration benchmarks, which waits {@code secondsPerEpoch} per epoch.
 *
 * <p>It goes through the same protocol as a real model, so a benchmark measures the platform: the trainer's loop
 * runs {@code stepsPerEpoch} optimizer steps per epoch on a one-weight linear model fed zeros (the gradient is zero,
 * so nothing is learnt), and after step {@code k} of an epoch waits until {@code k / stepsPerEpoch} of
 * {@code secondsPerEpoch} has gone by since the epoch began. An epoch therefore lasts {@code secondsPerEpoch}, the
 * steps' own compute included (it is the simulated work, not time added to it); progress events,
 * checkpoints, resume, drains, segments and the final model.json are the real ones. The dataset is not read.
 *
 * <p>Hyperparameters: {@code secondsPerEpoch} (default 1, up to 3600), {@code stepsPerEpoch} (default 10: a drain
 * or a segment's end stops the run within one step's wait). It reports no metrics and predicts nothing.
 */
@ApplicationScoped
public class SyntheticKind implements ModelKind {

    public static final String NAME = "synthetic";
    private static final List<String> HYPERPARAMETERS = List.of("secondsPerEpoch", "stepsPerEpoch");
    /** Most zero samples one epoch is fed (stepsPerEpoch × batchSize), to keep memory small. */
    private static final long MAX_SAMPLES = 1_000_000;

    @Override
    public String name() {
        return NAME;
    }

    /** It only waits: fetching the run's dataset would put an S3 download into what the benchmark measures. */
    @Override
    public boolean readsDataset() {
        return false;
    }

    @Override
    public PreparedRun prepare(TrainRun command, InputStream csv) {
        Hyperparameters h = new Hyperparameters(NAME, command.model().hyperparameters());
        h.allowOnly(HYPERPARAMETERS);
        double secondsPerEpoch = h.number("secondsPerEpoch", 1, 0, 3600);
        int steps = h.integer("stepsPerEpoch", 10, 1, 100_000);
        long samples = (long) steps * command.training().batchSize();
        if (samples > MAX_SAMPLES) {
            throw new InvalidRunException("model kind '" + NAME + "': stepsPerEpoch (" + steps
                    + ") x training.batchSize (" + command.training().batchSize() + ") is " + samples
                    + "; at most " + MAX_SAMPLES + " (each step is fed one batch of zeros)");
        }
        return new Waiting(secondsPerEpoch, steps, (long) (secondsPerEpoch / steps * 1e9),
                new Samples(new float[(int) samples], new float[(int) samples], 1),
                new Samples(new float[1], new float[1], 1));
    }

    @Override
    public LoadedModel load(Map<String, Object> metadata, byte[] parameters) {
        return new LoadedModel() {
            @Override
            public Map<String, Object> predict(Map<String, Object> input) {
                throw new InvalidInputException("model", "this run is of model kind '" + NAME + "', which is not "
                        + "machine learning (it only waits, for orchestration benchmarks): there is nothing to "
                        + "predict");
            }

            @Override
            public void close() {
            }
        };
    }

    /** A run that waits {@code stepNanos} after each of its {@code steps} steps per epoch. */
    private record Waiting(double secondsPerEpoch, int steps, long stepNanos, Samples train, Samples validation)
            implements PreparedRun {

        @Override
        public Block newBlock() {
            return Mlp.block(List.of(), 1);
        }

        @Override
        public Shape inputShape() {
            return new Shape(1, 1);
        }

        @Override
        public NDArray loss(NDArray prediction, NDArray label) {
            return prediction.reshape(label.getShape()).sub(label).square().mean();
        }

        @Override
        public void afterStep(long epochStartedNanos, int steps) {
            long deadline = epochStartedNanos + steps * stepNanos;
            for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
                if (Thread.currentThread().isInterrupted()) {
                    return; // being shut down: the loop's stop check decides what happens next
                }
                LockSupport.parkNanos(left);
            }
        }

        @Override
        public Map<String, Double> metrics(float[] predictions, float[] labels) {
            return Map.of(); // nothing is learnt, so there is nothing to measure
        }

        @Override
        public Map<String, Object> describe() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("synthetic", true);
            d.put("note", "not machine learning: waited secondsPerEpoch per epoch, for orchestration benchmarks");
            d.put("secondsPerEpoch", secondsPerEpoch);
            d.put("stepsPerEpoch", steps);
            return d;
        }
    }
}
