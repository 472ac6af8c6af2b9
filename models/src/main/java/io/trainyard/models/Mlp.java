package io.trainyard.models;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import java.util.List;

/** The multilayer perceptron the kinds share: ReLU hidden layers, then a linear output layer. */
public final class Mlp {

    private Mlp() {
    }

    /** The architecture; the same call rebuilds it to load a stored model. */
    public static Block block(List<Integer> hidden, int outputs) {
        SequentialBlock block = new SequentialBlock();
        for (int units : hidden) {
            block.add(Linear.builder().setUnits(units).build());
            block.add(Activation.reluBlock());
        }
        block.add(Linear.builder().setUnits(outputs).build());
        return block;
    }
}
