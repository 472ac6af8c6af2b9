package io.trainyard.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.Map;

/**
 * A run's model and data, ready for the trainer's training loop; made by a {@link ModelKind}. The loop owns the
 * optimizer, the data order and checkpoints, so every kind gets resume, drain and segments the same way.
 */
public interface PreparedRun {

    /** A new, uninitialised block of the model's architecture. */
    Block newBlock();

    /** Shape of one input batch of size 1, for {@code Block.initialize}. */
    Shape inputShape();

    Samples train();

    Samples validation();

    /**
     * The training loss. Built from array operations only: a Java number multiplied into the graph can be
     * freed by the garbage collector before backward reads it (NOTES.md), which corrupts training silently.
     */
    NDArray loss(NDArray prediction, NDArray label);

    /** Mean loss on the validation samples, without recording gradients. */
    default double validationLoss(NDManager manager, Block block, ParameterStore parameters) {
        Samples v = validation();
        try (NDManager scope = manager.newSubManager()) {
            NDArray input = scope.create(v.x(), new Shape(v.size(), v.features()));
            NDArray label = scope.create(v.y(), new Shape(v.size()));
            NDArray prediction = block.forward(parameters, new NDList(input), false).singletonOrThrow();
            return loss(prediction, label).getFloat();
        }
    }

    /** Final metrics on the validation samples, in the data's own units. */
    Map<String, Double> metrics(float[] predictions, float[] labels);

    /**
     * Called by the training loop after each optimizer step, outside any lock that runs trained at once share.
     * Real models do nothing here; the {@code synthetic} kind spends its simulated work time here, so a drain or a
     * segment's end still stops it at a step boundary.
     *
     * @param epochStartedNanos {@link System#nanoTime()} when the loop began this epoch (or, for an epoch resumed
     *                          part-way, began it again in this delivery)
     * @param steps             the steps done since then, this one included
     */
    default void afterStep(long epochStartedNanos, int steps) {
    }

    /** What model.json records about the model so it can be loaded and used (normalisation, inputs, ...). */
    Map<String, Object> describe();
}
