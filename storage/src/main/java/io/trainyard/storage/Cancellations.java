package io.trainyard.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.trainyard.contracts.Messages;
import java.io.IOException;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The durable record of cancellations, under {@code cancellations/<experimentId>/}: {@code all.json} cancels every
 * run of the experiment, {@code <runId>.json} one run.
 *
 * <p>The scheduler writes a marker before it signals the trainers on {@code trainyard.control}; a trainer looks for
 * markers before it trains a delivery. So a command still queued when its run is cancelled is never trained, even
 * on a trainer that started after the signal went out, and a signal lost with a broker restart only delays the stop
 * of a running run until its next delivery.
 */
public class Cancellations {

    static final String ALL = "all.json";

    private final ObjectStore store;
    private final ObjectMapper json = Messages.mapper();

    public Cancellations(ObjectStore store) {
        this.store = store;
    }

    /** Records that {@code runIds} (empty: every run) of the experiment are cancelled. Writing twice is harmless. */
    public void cancel(UUID experimentId, Collection<UUID> runIds, String reason, Instant at) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("reason", reason);
        body.put("at", at.toString());
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a cancellation marker", e);
        }
        String prefix = Keys.cancellations(experimentId);
        List<String> names = runIds.isEmpty() ? List.of(ALL) : runIds.stream().map(id -> id + ".json").toList();
        for (String name : names) {
            store.put(prefix + name, bytes, "application/json");
        }
    }

    /**
     * True when the run, or its whole experiment, has been cancelled. Two HEAD requests rather than a listing: a
     * trainer asks before every delivery, and a listing is an XML document for the client to parse even when empty
     * (bench/orchestration.sh found S3 parsing among the trainer's largest costs per run).
     */
    public boolean isCancelled(UUID experimentId, UUID runId) {
        String prefix = Keys.cancellations(experimentId);
        return store.exists(prefix + ALL) || store.exists(prefix + runId + ".json");
    }
}
