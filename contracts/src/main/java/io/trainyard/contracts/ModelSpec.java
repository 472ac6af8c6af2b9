package io.trainyard.contracts;

import java.util.Map;
import java.util.Objects;

/**
 * Which model a run trains and with which hyperparameters.
 *
 * @param kind            registered model kind, e.g. {@code mlp-forecaster}
 * @param hyperparameters the resolved hyperparameters of this run (numbers, strings, lists of numbers)
 */
public record ModelSpec(String kind, Map<String, Object> hyperparameters) {
    public ModelSpec {
        Objects.requireNonNull(kind, "model.kind");
        hyperparameters = hyperparameters == null ? Map.of() : Map.copyOf(hyperparameters);
    }
}
