package io.trainyard.models;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;

/**
 * A stored DJL model in memory, for the kinds whose model is a {@link Block}: loads the parameters with
 * {@code Model.load} and runs forward passes through DJL's {@link Predictor}.
 *
 * <p>Forward passes run concurrently (they only read the parameters); {@link #close()} waits for the running ones,
 * and a pass asked for after it throws {@link LoadedModel.ClosedModelException}.
 */
public abstract class BlockModel implements LoadedModel {

    /** File name prefix of the parameters: {@code model-0000.params}, as DJL's {@code Model.save} names them. */
    private static final String NAME = "model";

    private final Model model;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    /**
     * @param block      a new block of the stored model's architecture
     * @param parameters the stored {@code model-0000.params}
     */
    protected BlockModel(Block block, byte[] parameters) {
        this.model = load(block, parameters);
    }

    /**
     * The parameters of an initialised {@code block} as DJL's model file ({@code Model.save} writes it, {@code Model.load}
     * and {@link #BlockModel} read it): how tests and tools store a model the way the trainer does.
     */
    public static byte[] save(Block block) {
        Path dir = null;
        try (Model model = Model.newInstance(NAME)) {
            model.setBlock(block);
            dir = Files.createTempDirectory("trainyard-save-");
            model.save(dir, NAME);
            return Files.readAllBytes(dir.resolve(NAME + "-0000.params"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }

    /**
     * DJL reads a model from a directory only ({@code Model.load}), so the bytes pass through a temporary one, which
     * is deleted again at once.
     */
    private static Model load(Block block, byte[] parameters) {
        Model model = Model.newInstance(NAME);
        Path dir = null;
        try {
            model.setBlock(block);
            dir = Files.createTempDirectory("trainyard-load-");
            Files.write(dir.resolve(NAME + "-0000.params"), parameters);
            model.load(dir, NAME);
            return model;
        } catch (IOException e) {
            model.close();
            throw new UncheckedIOException(e);
        } catch (MalformedModelException | RuntimeException e) {
            model.close();
            throw new IllegalStateException("stored parameters do not fit the model described in model.json: "
                    + e.getMessage(), e);
        } finally {
            deleteQuietly(dir);
        }
    }

    /**
     * One forward pass on {@code rows} samples of {@code features} values each (row-major); returns the outputs,
     * row-major.
     */
    protected float[] forward(float[] x, int rows, int features) {
        lock.readLock().lock();
        try {
            if (closed) {
                throw new ClosedModelException();
            }
            try (NDManager scope = model.getNDManager().newSubManager();
                    Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator())) {
                NDList input = new NDList(scope.create(x, new Shape(rows, features)));
                return predictor.predict(input).singletonOrThrow().toFloatArray();
            } catch (TranslateException e) {
                throw new IllegalStateException("forward pass failed: " + e.getMessage(), e);
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                model.close();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
