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
 * <p>A checkpoint is three objects under {@code checkpoints/<exp>/<run>/<epoch>-<batch>/}: {@code parameters.bin},
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
    record Pointer(int epoch, int batch, int attempt, String location, Instant at) {
        Position position() {
            return new Position(epoch, batch);
        }
    }

    record State(int epoch, int batch, int attempt, String parametersSha256, String optimizerSha256, long bytes,
            Map<String, Object> state, Instant at) {
    }

    /**
     * Writes {@code checkpoint} and moves the pointer to it, unless the pointer already names a later position or
     * a higher attempt (a stale attempt never moves it backwards).
     */
    public Saved save(Checkpoint c) {
        String location = Keys.checkpoint(c.experimentId(), c.runId(), c.position());
        Optional<Pointer> current = pointer(c.experimentId(), c.runId());
        if (current.isPresent() && isAhead(current.get(), c)) {
            return new Saved(location, 0, false);
        }
        long bytes = c.parameters().length + c.optimizer().length;
        store.put(location + PARAMETERS, c.parameters(), "application/octet-stream");
        store.put(location + OPTIMIZER, c.optimizer(), "application/octet-stream");
        State state = new State(c.position().epoch(), c.position().batch(), c.attempt(), sha256(c.parameters()),
                sha256(c.optimizer()), bytes, c.state(), Instant.now());
        store.put(location + STATE, write(state), "application/json");
        // Read again right before moving: another attempt may have moved it while we wrote.
        Optional<Pointer> now = pointer(c.experimentId(), c.runId());
        if (now.isPresent() && isAhead(now.get(), c)) {
            return new Saved(location, bytes, false);
        }
        store.put(Keys.latestCheckpoint(c.experimentId(), c.runId()),
                write(new Pointer(c.position().epoch(), c.position().batch(), c.attempt(), location, Instant.now())),
                "application/json");
        collectGarbage(c.experimentId(), c.runId());
        return new Saved(location, bytes, true);
    }

    /**
     * What a run's checkpoint prefix holds as one of its attempts ends: the keys listed and the pointer, if any.
     * A short run that never checkpointed costs one HEAD request here, where reading the pointer and then listing
     * for {@link #deleteAll} costs two (S3 requests are most of the platform's own CPU per run,
     * bench/orchestration.sh).
     *
     * @param mayHaveOrphans list the prefix even without a pointer: an earlier attempt of the run may have died while
     *                       writing the run's first checkpoint, leaving objects no pointer names (a redelivery, or a
     *                       resumed run). A run's first attempt that finds no pointer has nothing to clean up.
     */
    public Leftovers leftovers(UUID experimentId, UUID runId, boolean mayHaveOrphans) {
        String pointerKey = Keys.latestCheckpoint(experimentId, runId);
        if (!mayHaveOrphans && !store.exists(pointerKey)) {
            return new Leftovers(List.of(), pointerKey, 0);
        }
        List<String> keys = store.list(Keys.checkpoints(experimentId, runId));
        Optional<Pointer> pointer = keys.contains(pointerKey) ? pointer(experimentId, runId) : Optional.empty();
        return new Leftovers(List.copyOf(keys), pointerKey, pointer.map(Pointer::attempt).orElse(0));
    }

    /**
     * A run's checkpoint objects as listed once.
     *
     * @param pointerAttempt the attempt that last moved the pointer; 0 when there is no pointer
     */
    public record Leftovers(List<String> keys, String pointerKey, int pointerAttempt) {
        /**
         * True when a later attempt than {@code attempt} has moved the pointer: the caller is a stale attempt (it was
         * frozen or cut off and the run went on elsewhere) and must not finish the run.
         */
        public boolean ownedByLaterAttempt(int attempt) {
            return pointerAttempt > attempt;
        }
    }

    /**
     * Deletes what {@code leftovers} listed, the pointer last. Objects written after the listing (by a stale attempt
     * still running somewhere) stay behind, harmless: a run's model or cancellation is checked before its
     * checkpoints are ever read again.
     */
    public void delete(Leftovers leftovers) {
        List<String> keys = new ArrayList<>(leftovers.keys());
        boolean pointed = keys.remove(leftovers.pointerKey());
        store.delete(keys);
        if (pointed) {
            store.delete(List.of(leftovers.pointerKey()));
        }
    }

    private static boolean isAhead(Pointer pointer, Checkpoint c) {
        return pointer.attempt() > c.attempt() || pointer.position().compareTo(c.position()) > 0;
    }

    /**
     * The newest checkpoint that verifies, starting at the pointer; damaged ones are skipped and named in
     * {@link Loaded#skipped()}. Empty when the run has no usable checkpoint.
     */
    public Optional<Loaded> loadLatest(UUID experimentId, UUID runId) {
        // Without a pointer no checkpoint was ever completed (the pointer moves only after all three objects are
        // written), so a run starts from the seed: one HEAD request for every first delivery, no listing.
        if (!store.exists(Keys.latestCheckpoint(experimentId, runId))) {
            return Optional.empty();
        }
        List<String> keys = store.list(Keys.checkpoints(experimentId, runId));
        Optional<Pointer> pointer = pointer(experimentId, runId);
        TreeSet<Position> positions = positions(experimentId, runId, keys);
        pointer.ifPresent(p -> positions.add(p.position()));
        List<String> skipped = new ArrayList<>();
        for (Position position : positions.descendingSet()) {
            if (pointer.isPresent() && position.compareTo(pointer.get().position()) > 0) {
                // Written by an attempt that never moved the pointer (it died or was fenced): not trusted.
                continue;
            }
            String location = Keys.checkpoint(experimentId, runId, position);
            Optional<Checkpoint> checkpoint = read(experimentId, runId, position, location, skipped);
            if (checkpoint.isPresent()) {
                return Optional.of(new Loaded(checkpoint.get(), List.copyOf(skipped)));
            }
        }
        return Optional.empty();
    }

    /** Positions that have a checkpoint directory, from the listing. */
    public TreeSet<Position> positions(UUID experimentId, UUID runId) {
        return positions(experimentId, runId, store.list(Keys.checkpoints(experimentId, runId)));
    }

    private static TreeSet<Position> positions(UUID experimentId, UUID runId, List<String> keys) {
        String prefix = Keys.checkpoints(experimentId, runId);
        TreeSet<Position> positions = new TreeSet<>();
        for (String key : keys) {
            String rest = key.substring(prefix.length());
            int slash = rest.indexOf('/');
            Position position = slash > 0 ? Position.parse(rest.substring(0, slash)) : null;
            if (position != null) {
                positions.add(position);
            }
        }
        return positions;
    }

    /** Deletes every checkpoint of the run, the pointer last. */
    public void deleteAll(UUID experimentId, UUID runId) {
        // The pointer's content is not needed to delete it: no read of it, one listing.
        delete(new Leftovers(store.list(Keys.checkpoints(experimentId, runId)),
                Keys.latestCheckpoint(experimentId, runId), 0));
    }

    private Optional<Checkpoint> read(UUID experimentId, UUID runId, Position position, String location,
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
        return Optional.of(new Checkpoint(experimentId, runId, position, state.attempt(), parameters.get(),
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
        TreeSet<Position> positions = positions(experimentId, runId);
        List<String> old = new ArrayList<>();
        while (positions.size() > keep) {
            String location = Keys.checkpoint(experimentId, runId, positions.pollFirst());
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
