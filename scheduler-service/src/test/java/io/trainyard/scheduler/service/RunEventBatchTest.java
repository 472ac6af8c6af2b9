package io.trainyard.scheduler.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trainyard.contracts.RunCancelled;
import io.trainyard.contracts.RunCheckpointed;
import io.trainyard.contracts.RunCompleted;
import io.trainyard.contracts.RunEvent;
import io.trainyard.contracts.RunFailed;
import io.trainyard.contracts.RunProgressed;
import io.trainyard.contracts.RunRef;
import io.trainyard.contracts.RunReleased;
import io.trainyard.contracts.RunStarted;
import io.trainyard.scheduler.service.RunEvents.Outcome;
import io.trainyard.scheduler.testing.RunTables;
import io.trainyard.storage.testing.S3ProxyResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A batch of run events applied in one transaction ({@link RunEventService}) leaves {@code run} and
 * {@code run_attempt} exactly as the same events applied one at a time (one transaction per event, as before
 * batching) would: every column of every row is compared with the pure state machine's result.
 */
@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
class RunEventBatchTest {

    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final Map<String, Double> METRICS = Map.of("mae", 1.5);

    @Inject
    RunEventService service;
    @Inject
    AgroalDataSource database;

    private final UUID experiment = UUID.randomUUID();

    /** Timestamps to the microsecond, as the columns keep them; later for a later attempt and sequence. */
    private RunRef ref(UUID run, int attempt, long sequence) {
        return new RunRef(experiment, run, attempt, sequence, "trainer-" + attempt,
                T0.plusSeconds(attempt * 1000L + sequence).plusNanos(123_000));
    }

    private RunStarted started(UUID run, int attempt, long sequence, int from, Integer resumed) {
        return new RunStarted(ref(run, attempt, sequence), "p", from, resumed, 10, null);
    }

    private RunProgressed progressed(UUID run, int attempt, long sequence, int epoch) {
        return new RunProgressed(ref(run, attempt, sequence), epoch, 10, 0.5, 0.6, 0.1);
    }

    private RunCompleted completed(UUID run, int attempt, long sequence) {
        return new RunCompleted(ref(run, attempt, sequence), "p", 10, METRICS, "models/x/");
    }

    private List<Optional<Outcome>> applyBatch(List<RunEvent> events) {
        return service.apply(events).await().atMost(Duration.ofSeconds(30));
    }

    @Test
    void aMixedBatchEndsAsTheSameEventsAppliedOneByOne() {
        List<UUID> runs = Stream.generate(UUID::randomUUID).limit(7).toList();
        UUID r1 = runs.get(0); // resumed by a second attempt, completes, then hears a late progress
        UUID r2 = runs.get(1); // fails, then a completion of another attempt comes
        UUID r3 = runs.get(2); // two attempts within one batch: checkpoint, release, resume
        UUID r4 = runs.get(3); // out of order, and an event naming another experiment
        UUID r5 = runs.get(4); // cancelled by a user while its completion was on its way
        UUID r6 = runs.get(5); // only stale and mismatched events in the second batch: not written
        UUID r7 = runs.get(6); // never hears of anything
        UUID unknown = UUID.randomUUID();
        List<UUID> all = new ArrayList<>(runs);
        all.add(unknown);

        RunTables tables = new RunTables(database);
        tables.insertQueuedRuns(experiment, runs);
        tables.cancel(r5, "cancelled by alice", T0.plusSeconds(5));
        RunTables.Model model = tables.model(all);

        // The first batch leaves rows and attempts behind for the second to change.
        List<RunEvent> first = List.of(
                started(r1, 1, 1, 0, null),
                progressed(r1, 1, 2, 1),
                started(r2, 1, 1, 0, null),
                started(r5, 1, 1, 0, null),
                started(r6, 1, 1, 0, null),
                progressed(r6, 1, 2, 3),
                started(unknown, 1, 1, 0, null));
        List<Optional<Outcome>> expectedFirst = model.applyAll(first);
        assertThat(applyBatch(first)).isEqualTo(expectedFirst);
        assertThat(tables.runRows(all)).isEqualTo(model.runRows());
        assertThat(tables.attemptRows(all)).isEqualTo(model.attemptRows());
        Map<UUID, String> writersBefore = tables.writers(List.of(r6, r7));

        List<RunEvent> second = List.of(
                progressed(r1, 1, 3, 2),
                progressed(r1, 1, 3, 2), // duplicate
                started(r3, 1, 1, 0, null),
                progressed(r1, 1, 2, 1), // late
                new RunFailed(ref(r2, 1, 2), "column 'demand' has no numbers"),
                progressed(r4, 1, 2, 2), // before its start
                started(r1, 2, 1, 2, 2), // attempt 1 was cut off: INTERRUPTED
                new RunCheckpointed(ref(r3, 1, 2), 3, "checkpoints/r3/3/", 100),
                progressed(r1, 1, 9, 5), // the stale attempt goes on talking
                started(r4, 1, 1, 0, null), // late: its progress came first
                new RunFailed(new RunRef(UUID.randomUUID(), r4, 9, 1, "elsewhere", T0), "not ours"),
                new RunReleased(ref(r3, 1, 3), 3, "segment"),
                progressed(r6, 1, 2, 3), // duplicate
                progressed(r1, 2, 2, 3),
                completed(r2, 2, 1), // the run has failed
                new RunProgressed(new RunRef(UUID.randomUUID(), r6, 5, 1, "elsewhere", T0), 9, 10, 1, 1, 1),
                started(r3, 2, 1, 3, 3),
                completed(r5, 1, 7), // the model exists: SUCCEEDED despite the cancel
                progressed(unknown, 1, 2, 1),
                completed(r1, 2, 5),
                progressed(r1, 2, 6, 4), // after the end
                progressed(r3, 2, 2, 4),
                new RunCancelled(ref(r4, 1, 3), 2, "cancelled by bob"),
                progressed(r4, 1, 4, 3)); // after the cancel
        List<Optional<Outcome>> expectedSecond = model.applyAll(second);
        assertThat(applyBatch(second)).isEqualTo(expectedSecond);
        assertThat(tables.runRows(all)).isEqualTo(model.runRows());
        assertThat(tables.attemptRows(all)).isEqualTo(model.attemptRows());

        // The scenario covers what it says it does.
        assertThat(expectedSecond).contains(Optional.empty(), Optional.of(Outcome.STALE),
                Optional.of(Outcome.MISMATCHED), Optional.of(Outcome.FINISHED), Optional.of(Outcome.APPLIED));
        Map<UUID, Map<String, Object>> rows = tables.runRows(all);
        assertThat(rows).doesNotContainKey(unknown);
        assertThat(rows.get(r1)).containsEntry("state", "SUCCEEDED").containsEntry("attempts", 2)
                .containsEntry("epoch", 10).containsEntry("resumed_from_epoch", 2);
        assertThat(rows.get(r2)).containsEntry("state", "FAILED")
                .containsEntry("reason", "column 'demand' has no numbers");
        assertThat(rows.get(r3)).containsEntry("state", "RUNNING").containsEntry("epoch", 4);
        assertThat(rows.get(r4)).containsEntry("state", "CANCELLED").containsEntry("reason", "cancelled by bob");
        assertThat(rows.get(r5)).containsEntry("state", "SUCCEEDED").containsEntry("reason", null);
        assertThat(rows.get(r7)).containsEntry("state", "QUEUED");
        Map<String, Map<String, Object>> attempts = tables.attemptRows(all);
        assertThat(attempts.get(r1 + "/1")).containsEntry("outcome", "INTERRUPTED");
        assertThat(attempts.get(r1 + "/2")).containsEntry("outcome", "SUCCEEDED").containsEntry("last_epoch", 10);
        assertThat(attempts.get(r3 + "/1")).containsEntry("outcome", "RELEASED").containsEntry("detail", "segment");
        assertThat(attempts.get(r3 + "/2")).containsEntry("outcome", "RUNNING").containsEntry("start_epoch", 3);
        // Runs that nothing changed are not written.
        assertThat(tables.writers(List.of(r6, r7))).isEqualTo(writersBefore);
    }

    @Test
    void aBatchOfUnknownRunsChangesNothing() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        assertThat(applyBatch(List.of(started(a, 1, 1, 0, null), progressed(b, 1, 2, 1), completed(a, 1, 3))))
                .containsExactly(Optional.empty(), Optional.empty(), Optional.empty());
        assertThat(new RunTables(database).runRows(List.of(a, b))).isEmpty();
        assertThat(new RunTables(database).attemptRows(List.of(a, b))).isEmpty();
    }
}
