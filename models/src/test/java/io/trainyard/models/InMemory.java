package io.trainyard.models;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.Map;

/** A prepared run's block initialised in memory, as the training loop holds it: the reference for stored models. */
public final class InMemory implements AutoCloseable {

    private final NDManager manager = NDManager.newBaseManager();
    private final Block block;
    private final PreparedRun run;

    public InMemory(PreparedRun run) {
        this.run = run;
        this.block = run.newBlock();
        block.initialize(manager, DataType.FLOAT32, run.inputShape());
    }

    /** The block's outputs on {@code samples}' inputs, row-major. */
    public float[] forward(Samples samples) {
        try (NDManager scope = manager.newSubManager()) {
            return block.forward(new ParameterStore(scope, false),
                    new NDList(scope.create(samples.x(), new Shape(samples.size(), samples.features()))), false)
                    .singletonOrThrow().toFloatArray();
        }
    }

    /** The model as the trainer stores it, loaded back by its kind. */
    public LoadedModel stored(ModelKind kind) {
        return kind.load(Map.of("kind", kind.name(), "model", run.describe()), BlockModel.save(block));
    }

    @Override
    public void close() {
        manager.close();
    }
}
