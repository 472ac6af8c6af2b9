package io.trainyard.storage;

import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Everything needed to continue a run exactly where it stopped.
 *
 * @param experimentId the experiment
 * @param runId        the run
 * @param position     where in the run it was taken (epochs done, batches of the next epoch)
 * @param attempt      the attempt that wrote it (fencing: a lower attempt never replaces a higher one's pointer)
 * @param parameters   the model's parameters as DJL writes them
 * @param optimizer    the optimizer's state (moments and step counts by parameter name)
 * @param state        small trainer state (e.g. the running loss of a part-done epoch); data order and RNG derive
 *                     from (seed, epoch)
 */
public record Checkpoint(UUID experimentId, UUID runId, Position position, int attempt, byte[] parameters,
        byte[] optimizer, Map<String, Object> state) {
    public Checkpoint {
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(optimizer, "optimizer");
        state = state == null ? Map.of() : Map.copyOf(state);
    }

    /** Epochs completely done. */
    public int epoch() {
        return position.epoch();
    }
}
