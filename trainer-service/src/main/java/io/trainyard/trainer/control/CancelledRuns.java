package io.trainyard.trainer.control;

import io.trainyard.contracts.CancelRuns;
import io.trainyard.storage.Cancellations;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * What this trainer knows of cancellations: the signals heard on {@code trainyard.control} (so a run in training stops
 * at its next batch boundary) and, before a delivery is trained, the durable markers in storage (so a command that
 * was queued when its run was cancelled is never trained, even here if this trainer started after the signal).
 *
 * <p>Signals are kept for {@link #MEMORY} and at most {@link #MAX_SIGNALS} of them: a run is checked against storage
 * at every delivery anyway, so forgetting an old signal never lets a cancelled run train.
 */
@ApplicationScoped
public class CancelledRuns {

    static final Duration MEMORY = Duration.ofHours(6);
    static final int MAX_SIGNALS = 10_000;

    private record Heard(CancelRuns signal, Instant at) {
    }

    private final ConcurrentLinkedDeque<Heard> heard = new ConcurrentLinkedDeque<>();
    private final Cancellations markers;

    public CancelledRuns(Cancellations markers) {
        this.markers = markers;
    }

    /** Remembers a signal from the control exchange. */
    public void heard(CancelRuns signal) {
        heard.addFirst(new Heard(signal, Instant.now()));
        Instant horizon = Instant.now().minus(MEMORY);
        while (heard.size() > MAX_SIGNALS || (!heard.isEmpty() && heard.peekLast().at().isBefore(horizon))) {
            heard.pollLast();
        }
    }

    /** True when a signal heard here covers the run; cheap enough for every batch boundary. */
    public boolean signalled(UUID experimentId, UUID runId) {
        for (Heard h : heard) {
            if (h.signal().covers(experimentId, runId)) {
                return true;
            }
        }
        return false;
    }

    /** True when a signal heard here or a marker in storage covers the run; one S3 listing when no signal does. */
    public boolean isCancelled(UUID experimentId, UUID runId) {
        return signalled(experimentId, runId) || markers.isCancelled(experimentId, runId);
    }

    /** The reason of the newest signal covering the run, else a generic one (the marker's own is not read). */
    public String reason(UUID experimentId, UUID runId) {
        for (Heard h : heard) {
            if (h.signal().covers(experimentId, runId)) {
                return h.signal().reason();
            }
        }
        return "cancelled";
    }
}
