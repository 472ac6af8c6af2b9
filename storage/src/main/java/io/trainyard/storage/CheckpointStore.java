package io.trainyard.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.trainyard.contracts.Messages;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Checkpoints of runs in S3 (DESIGN.md, "Checkpoint and resume").
 *
 * <p>A checkpoint is three objects under {@code checkpoints/<exp>/<run>/<epoch>/}: {@code parameters.bin},
 * {@code optimizer.bin}, then {@code state.json} with the SHA-256 of both. The pointer
 * {@code checkpoints/<exp>/<run>/latest.json} is moved only after all three are written, so a crash between
 * writes leaves the previous checkpoint in force. Reading verifies the checksums and falls back to the newest
 * older checkpoint that verifies.
 */
public class CheckpointStore {

    static final String PARAMETERS = "parameters.bin";
    static final String OPTIMIZER = "optimizer.bin";
    static final String STATE = "state.json";

    private final ObjectStore store;
    private final ObjectMapper json = Messages.mapper();
    private final int keep;

    /**
     * @param keep how many of a run's newest checkpoints to keep; older ones are deleted after each save
     */
    public CheckpointStore(ObjectStore store, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep at least one checkpoint");
        }
        this.store = store;
        this.keep = keep;
    }

    /** What a save did. */
    public record Saved(String location, long bytes, boolean pointerMoved) {
    }

    /** A verified checkpoint, with the newer ones that failed verification and were skipped. */
    public record Loaded(Checkpoint checkpoint, List<String> skipped) {
    }

    /** The pointer object. */
    record Pointer(int epoch, int attempt, String location, Instant at) {
    }

    record State(int epoch, int attempt, String parametersSha256, String optimizerSha256, long bytes,
            Map<String, Object> state, Instant at) {
    }

    /**
     * Writes {@code checkpoint} and moves the pointer to it, unless the pointer already names a newer epoch or a
     * higher attempt (a stale attempt never moves it backwards).
     */
    public Saved save(Checkpoint c) {
        String location = Keys.checkpoint(c.experimentId(), c.runId(), c.epoch());
        Optional<Pointer> current = pointer(c.experimentId(), c.runId());
        if (current.isPresent() && isAhead(current.get(), c)) {
            return new Saved(location, 0, false);
        }
        long bytes = c.parameters().length + c.optimizer().length;
        store.put(location + PARAMETERS, c.parameters(), "application/octet-stream");
        store.put(location + OPTIMIZER, c.optimizer(), "application/octet-stream");
        State state = new State(c.epoch(), c.attempt(), sha256(c.parameters()), sha256(c.optimizer()), bytes,
                c.state(), Instant.now());
        store.put(location + STATE, write(state), "application/json");
        // Read again right before moving: another attempt may have moved it while we wrote.
        Optional<Pointer> now = pointer(c.experimentId(), c.runId());
        if (now.isPresent() && isAhead(now.get(), c)) {
            return new Saved(location, bytes, false);
        }
        store.put(Keys.latestCheckpoint(c.experimentId(), c.runId()),
                write(new Pointer(c.epoch(), c.attempt(), location, Instant.now())), "application/json");
        collectGarbage(c.experimentId(), c.runId());
        return new Saved(location, bytes, true);
    }

    private static boolean isAhead(Pointer pointer, Checkpoint c) {
        return pointer.attempt() > c.attempt() || pointer.epoch() > c.epoch();
    }

    /**
     * The newest checkpoint that verifies, starting at the pointer; damaged ones are skipped and named in
     * {@link Loaded#skipped()}. Empty when the run has no usable checkpoint.
     */
    public Optional<Loaded> loadLatest(UUID experimentId, UUID runId) {
        Optional<Pointer> pointer = pointer(experimentId, runId);
        TreeSet<Integer> epochs = epochs(experimentId, runId);
        pointer.ifPresent(p -> epochs.add(p.epoch()));
        List<String> skipped = new ArrayList<>();
        for (int epoch : epochs.descendingSet()) {
            if (pointer.isPresent() && epoch > pointer.get().epoch()) {
                // Written by an attempt that never moved the pointer (it died or was fenced): not trusted.
                continue;
            }
            String location = Keys.checkpoint(experimentId, runId, epoch);
            Optional<Checkpoint> checkpoint = read(experimentId, runId, epoch, location, skipped);
            if (checkpoint.isPresent()) {
                return Optional.of(new Loaded(checkpoint.get(), List.copyOf(skipped)));
            }
        }
        return Optional.empty();
    }

    /** Epochs that have a checkpoint directory, from the listing. */
    public TreeSet<Integer> epochs(UUID experimentId, UUID runId) {
        String prefix = Keys.checkpoints(experimentId, runId);
        TreeSet<Integer> epochs = new TreeSet<>();
        for (String key : store.list(prefix)) {
            String rest = key.substring(prefix.length());
            int slash = rest.indexOf('/');
            if (slash > 0) {
                try {
                    epochs.add(Integer.parseInt(rest.substring(0, slash)));
                } catch (NumberFormatException ignored) {
                    // not a checkpoint directory
                }
            }
        }
        return epochs;
    }

    /** Deletes every checkpoint of the run, the pointer last. */
    public void deleteAll(UUID experimentId, UUID runId) {
        String pointerKey = Keys.latestCheckpoint(experimentId, runId);
        List<String> keys = new ArrayList<>(store.list(Keys.checkpoints(experimentId, runId)));
        keys.remove(pointerKey);
        store.delete(keys);
        store.delete(List.of(pointerKey));
    }

    private Optional<Checkpoint> read(UUID experimentId, UUID runId, int epoch, String location,
            List<String> skipped) {
        Optional<byte[]> stateBytes = store.get(location + STATE);
        if (stateBytes.isEmpty()) {
            skipped.add(location + " (incomplete: no " + STATE + ")");
            return Optional.empty();
        }
        State state;
        try {
            state = json.readValue(stateBytes.get(), State.class);
        } catch (IOException e) {
            skipped.add(location + " (" + STATE + " unreadable)");
            return Optional.empty();
        }
        Optional<byte[]> parameters = store.get(location + PARAMETERS);
        Optional<byte[]> optimizer = store.get(location + OPTIMIZER);
        if (parameters.isEmpty() || optimizer.isEmpty()
                || !sha256(parameters.get()).equals(state.parametersSha256())
                || !sha256(optimizer.get()).equals(state.optimizerSha256())) {
            skipped.add(location + " (checksum mismatch)");
            return Optional.empty();
        }
        return Optional.of(new Checkpoint(experimentId, runId, epoch, state.attempt(), parameters.get(),
                optimizer.get(), state.state()));
    }

    private Optional<Pointer> pointer(UUID experimentId, UUID runId) {
        return store.get(Keys.latestCheckpoint(experimentId, runId)).flatMap(bytes -> {
            try {
                return Optional.of(json.readValue(bytes, Pointer.class));
            } catch (IOException e) {
                return Optional.empty(); // an unreadable pointer is as good as none: fall back to the listing
            }
        });
    }

    private void collectGarbage(UUID experimentId, UUID runId) {
        TreeSet<Integer> epochs = epochs(experimentId, runId);
        List<String> old = new ArrayList<>();
        while (epochs.size() > keep) {
            int epoch = epochs.pollFirst();
            String location = Keys.checkpoint(experimentId, runId, epoch);
            old.add(location + PARAMETERS);
            old.add(location + OPTIMIZER);
            old.add(location + STATE);
        }
        store.delete(old);
    }

    private byte[] write(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
