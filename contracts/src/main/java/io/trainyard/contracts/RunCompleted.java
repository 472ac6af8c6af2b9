package io.trainyard.contracts;

import java.util.Map;

/**
 * The run finished and its final model is stored.
 *
 * @param partition     the run's partition value (null for an unpartitioned run)
 * @param epochs        epochs trained
 * @param metrics       validation metrics on the time-ordered hold-out, e.g. {@code mae}, {@code rmse}, {@code mape}
 * @param modelLocation object key prefix of the final model
 */
public record RunCompleted(RunRef run, String partition, int epochs, Map<String, Double> metrics,
        String modelLocation) implements RunEvent {
    public RunCompleted {
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
    }
}
