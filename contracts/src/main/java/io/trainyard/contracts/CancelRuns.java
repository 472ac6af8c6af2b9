package io.trainyard.contracts;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A signal on {@link Topology#CONTROL_EXCHANGE} (fanout: every trainer has a queue of its own): stop these runs
 * within one epoch and never train them again. The durable record of a cancellation is its marker in storage
 * ({@code cancellations/<experimentId>/...}), written before this is sent; the signal only makes running trainers
 * act at once.
 *
 * @param experimentId the experiment
 * @param runIds       the runs to stop; empty for every run of the experiment
 * @param reason       why, for the run's record
 * @param requestedAt  when the cancel was asked for
 */
public record CancelRuns(int schemaVersion, UUID experimentId, List<UUID> runIds, String reason,
        Instant requestedAt) {

    public CancelRuns {
        if (experimentId == null) {
            throw new IllegalArgumentException("experimentId is required");
        }
        runIds = runIds == null ? List.of() : List.copyOf(runIds);
        reason = reason == null || reason.isBlank() ? "cancelled" : reason;
    }

    public static CancelRuns of(UUID experimentId, List<UUID> runIds, String reason, Instant requestedAt) {
        return new CancelRuns(Messages.SCHEMA_VERSION, experimentId, runIds, reason, requestedAt);
    }

    /** True when this signal is about {@code runId} of {@code experimentId}. */
    public boolean covers(UUID experimentId, UUID runId) {
        return this.experimentId.equals(experimentId) && (runIds.isEmpty() || runIds.contains(runId));
    }
}
