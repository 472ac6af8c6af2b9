package io.trainyard.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainyard.storage.testing.S3ProxyServer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CheckpointStoreTest {

    static S3ProxyServer s3;
    ObjectStore store;
    CheckpointStore checkpoints;
    final UUID experiment = UUID.randomUUID();
    final UUID run = UUID.randomUUID();

    @BeforeAll
    static void startS3() {
        s3 = S3ProxyServer.start();
    }

    @AfterAll
    static void stopS3() {
        s3.close();
    }

    @BeforeEach
    void newBucket() {
        store = s3.newBucket();
        checkpoints = new CheckpointStore(store, 2);
    }

    private Checkpoint checkpoint(int epoch, int attempt) {
        return checkpoint(Position.epoch(epoch), attempt);
    }

    private Checkpoint checkpoint(Position position, int attempt) {
        int epoch = position.epoch();
        return new Checkpoint(experiment, run, position, attempt, ("params-" + epoch).getBytes(StandardCharsets.UTF_8),
                ("adam-" + epoch).getBytes(StandardCharsets.UTF_8), Map.of("mean", 12.5));
    }

    @Test
    void noCheckpointMeansStartFromTheSeed() {
        assertThat(checkpoints.loadLatest(experiment, run)).isEmpty();
    }

    @Test
    void latestCheckpointIsReadBackWithItsStateAndOldOnesAreCollected() {
        for (int epoch = 2; epoch <= 8; epoch += 2) {
            assertThat(checkpoints.save(checkpoint(epoch, 1)).pointerMoved()).isTrue();
        }
        CheckpointStore.Loaded loaded = checkpoints.loadLatest(experiment, run).orElseThrow();
        assertThat(loaded.skipped()).isEmpty();
        assertThat(loaded.checkpoint().epoch()).isEqualTo(8);
        assertThat(new String(loaded.checkpoint().parameters(), StandardCharsets.UTF_8)).isEqualTo("params-8");
        assertThat(new String(loaded.checkpoint().optimizer(), StandardCharsets.UTF_8)).isEqualTo("adam-8");
        assertThat(loaded.checkpoint().state()).containsEntry("mean", 12.5);
        assertThat(checkpoints.positions(experiment, run)).containsExactly(Position.epoch(6), Position.epoch(8));
    }

    @Test
    void damagedCheckpointIsSkippedForThePreviousOne() {
        checkpoints.save(checkpoint(2, 1));
        Checkpoint four = checkpoints.save(checkpoint(4, 1)).pointerMoved() ? checkpoint(4, 1) : null;
        assertThat(four).isNotNull();
        store.put(Keys.checkpoint(experiment, run, Position.epoch(4)) + CheckpointStore.PARAMETERS,
                "bit rot".getBytes(StandardCharsets.UTF_8), "application/octet-stream");

        CheckpointStore.Loaded loaded = checkpoints.loadLatest(experiment, run).orElseThrow();
        assertThat(loaded.checkpoint().epoch()).isEqualTo(2);
        assertThat(loaded.skipped()).singleElement().asString().contains("00000004-000000").contains("checksum");
    }

    @Test
    void checkpointWithoutItsStateFileIsIncompleteAndSkipped() {
        checkpoints.save(checkpoint(2, 1));
        checkpoints.save(checkpoint(4, 1));
        store.delete(java.util.List.of(Keys.checkpoint(experiment, run, Position.epoch(4)) + CheckpointStore.STATE));
        assertThat(checkpoints.loadLatest(experiment, run).orElseThrow().checkpoint().epoch()).isEqualTo(2);
    }

    @Test
    void staleAttemptNeverMovesThePointerBackwards() {
        checkpoints.save(checkpoint(6, 3));
        CheckpointStore.Saved stale = checkpoints.save(checkpoint(4, 2));
        assertThat(stale.pointerMoved()).isFalse();
        CheckpointStore.Saved olderEpochSameAttempt = checkpoints.save(checkpoint(2, 3));
        assertThat(olderEpochSameAttempt.pointerMoved()).isFalse();
        assertThat(checkpoints.loadLatest(experiment, run).orElseThrow().checkpoint().epoch()).isEqualTo(6);
    }

    @Test
    void checkpointsNewerThanThePointerAreNotTrusted() {
        checkpoints.save(checkpoint(2, 1));
        // An attempt that died after writing epoch 4's objects but before moving the pointer.
        String four = Keys.checkpoint(experiment, run, Position.epoch(4));
        store.put(four + CheckpointStore.PARAMETERS, new byte[] {1}, "application/octet-stream");
        assertThat(checkpoints.loadLatest(experiment, run).orElseThrow().checkpoint().epoch()).isEqualTo(2);
    }

    @Test
    void aMidEpochCheckpointOrdersBetweenItsEpochAndTheNext() {
        checkpoints.save(checkpoint(2, 1));
        checkpoints.save(checkpoint(new Position(2, 17), 1));
        Checkpoint loaded = checkpoints.loadLatest(experiment, run).orElseThrow().checkpoint();
        assertThat(loaded.position()).isEqualTo(new Position(2, 17));
        assertThat(checkpoints.save(checkpoint(new Position(2, 5), 1)).pointerMoved()).isFalse();
        assertThat(checkpoints.save(checkpoint(3, 1)).pointerMoved()).isTrue();
        // the fenced save wrote nothing; of the rest the newest two are kept
        assertThat(checkpoints.positions(experiment, run)).containsExactly(new Position(2, 17), Position.epoch(3));
    }

    @Test
    void deleteAllRemovesEveryObjectOfTheRun() {
        checkpoints.save(checkpoint(2, 1));
        checkpoints.save(checkpoint(4, 1));
        checkpoints.deleteAll(experiment, run);
        assertThat(store.list(Keys.checkpoints(experiment, run))).isEmpty();
        assertThat(checkpoints.loadLatest(experiment, run)).isEmpty();
    }

    @Test
    void anEndingAttemptLearnsWhetherALaterOneOwnsTheRunAndWhatToDelete() {
        CheckpointStore.Leftovers none = checkpoints.leftovers(experiment, run, false);
        assertThat(none.keys()).isEmpty();
        assertThat(none.ownedByLaterAttempt(1)).isFalse();
        checkpoints.delete(none); // nothing to delete is fine

        checkpoints.save(checkpoint(2, 1));
        assertThat(checkpoints.leftovers(experiment, run, false).ownedByLaterAttempt(1)).isFalse();
        checkpoints.save(checkpoint(3, 2));
        CheckpointStore.Leftovers left = checkpoints.leftovers(experiment, run, false);
        assertThat(left.ownedByLaterAttempt(1)).isTrue();
        assertThat(left.ownedByLaterAttempt(2)).isFalse();
        assertThat(left.keys()).contains(Keys.latestCheckpoint(experiment, run)).hasSize(7);

        checkpoints.delete(left);
        assertThat(store.list(Keys.checkpoints(experiment, run))).isEmpty();
        assertThat(checkpoints.loadLatest(experiment, run)).isEmpty();
    }

    @Test
    void objectsOfACheckpointWhosePointerNeverMovedAreCleanedUpByALaterAttempt() {
        // An attempt died while writing the run's first checkpoint: its objects are there, no pointer names them.
        String two = Keys.checkpoint(experiment, run, Position.epoch(2));
        store.put(two + CheckpointStore.PARAMETERS, new byte[] {1}, "application/octet-stream");
        store.put(two + CheckpointStore.OPTIMIZER, new byte[] {2}, "application/octet-stream");

        assertThat(checkpoints.loadLatest(experiment, run)).as("not a checkpoint in force: start from the seed")
                .isEmpty();
        assertThat(checkpoints.leftovers(experiment, run, false).keys())
                .as("a first attempt without a pointer does not list").isEmpty();
        CheckpointStore.Leftovers orphans = checkpoints.leftovers(experiment, run, true);
        assertThat(orphans.keys()).hasSize(2);
        assertThat(orphans.ownedByLaterAttempt(1)).isFalse();
        checkpoints.delete(orphans);
        assertThat(store.list(Keys.checkpoints(experiment, run))).isEmpty();
    }
}
