package io.trainyard.results.repository;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.trainyard.contracts.RunRef;
import io.trainyard.results.RunState;
import io.trainyard.results.repository.EventBatchRepository.StatusChange;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A batch's run statuses go to the database merged and in rounds ({@link EventBatchRepository#applyStatuses}); the
 * rows must end exactly as if every change had been applied on its own, one after the other. Generated changes from
 * a fixed seed, against the real table: each scenario runs on a pair of runs, one fed change by change, the other
 * all at once in a batch shared with the other scenarios.
 */
@QuarkusTest
class StatusBatchingTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final RunState[] STATES = RunState.values();

    @Inject
    Pool database;

    @Inject
    EventBatchRepository batches;

    private final Random random = new Random(20261124L);

    @Test
    void aBatchOfStatusChangesEndsAsTheChangesOneAfterTheOther() {
        for (int round = 0; round < 10; round++) {
            UUID experiment = UUID.randomUUID();
            List<UUID> oneByOne = new ArrayList<>();
            List<UUID> batched = new ArrayList<>();
            List<StatusChange> before = new ArrayList<>();
            List<StatusChange> batch = new ArrayList<>();
            List<List<StatusChange>> sequential = new ArrayList<>();
            for (int scenario = 0; scenario < 40; scenario++) {
                UUID a = UUID.randomUUID();
                UUID b = UUID.randomUUID();
                oneByOne.add(a);
                batched.add(b);
                // what the run's row holds already (often nothing), then the batch: a run's progress as it
                // comes, with stale attempts, failures, cancellations and completions thrown in
                List<StatusChange> stored = changes(experiment, random.nextInt(3));
                List<StatusChange> changes = changes(experiment, 1 + random.nextInt(8));
                stored.forEach(c -> before.add(on(a, c)));
                stored.forEach(c -> before.add(on(b, c)));
                List<StatusChange> alone = new ArrayList<>();
                changes.forEach(c -> alone.add(on(a, c)));
                sequential.add(alone);
                changes.forEach(c -> batch.add(on(b, c)));
            }
            shuffleKeepingEachRunsOrder(batch);
            for (StatusChange c : before) {
                apply(List.of(c));
            }
            for (List<StatusChange> changes : sequential) {
                for (StatusChange c : changes) {
                    apply(List.of(c));
                }
            }
            apply(batch);

            for (int i = 0; i < oneByOne.size(); i++) {
                assertThat(row(batched.get(i)))
                        .as("run %d of round %d: %s", i, round, sequential.get(i))
                        .isEqualTo(row(oneByOne.get(i)));
            }
        }
    }

    @Test
    void progressOfOneRunIsOneRowUpdate() {
        RunRef first = ref(UUID.randomUUID(), UUID.randomUUID(), 1, 2);
        StatusChange started = new StatusChange(ref(first, 1, 1), RunState.RUNNING, "city-1", 0, 10, null);
        StatusChange epoch1 = new StatusChange(ref(first, 1, 2), RunState.RUNNING, null, 1, 10, null);
        StatusChange epoch2 = new StatusChange(ref(first, 1, 3), RunState.RUNNING, null, 2, 10, null);
        assertThat(EventBatchRepository.supersedes(epoch2, epoch1)).isTrue();
        // the start names the partition, which progress leaves null: keeping only the progress would lose it
        // on a run whose row is older than the start
        assertThat(EventBatchRepository.supersedes(epoch1, started)).isFalse();
        // older by (attempt, sequence), or a status with rules of its own
        assertThat(EventBatchRepository.supersedes(epoch1, epoch2)).isFalse();
        assertThat(EventBatchRepository.supersedes(
                new StatusChange(ref(first, 1, 4), RunState.CANCELLED, null, 2, null, "by test"), epoch2)).isFalse();
    }

    private List<StatusChange> changes(UUID experiment, int count) {
        List<StatusChange> changes = new ArrayList<>();
        UUID run = UUID.randomUUID();
        int attempt = 1 + random.nextInt(2);
        long sequence = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            // mostly forward within an attempt; sometimes a new attempt, sometimes a stale one
            int roll = random.nextInt(10);
            if (roll == 0) {
                attempt++;
                sequence = 1;
            } else if (roll == 1 && attempt > 1) {
                attempt--;
                sequence += 5;
            } else {
                sequence += 1 + random.nextInt(2) - (random.nextInt(8) == 0 ? 3 : 0);
            }
            RunState status = random.nextInt(4) == 0 ? STATES[random.nextInt(STATES.length)] : RunState.RUNNING;
            changes.add(new StatusChange(ref(experiment, run, attempt, Math.max(1, sequence)), status,
                    random.nextInt(4) == 0 ? "city-" + random.nextInt(3) : null,
                    random.nextInt(5) == 0 ? null : random.nextInt(20),
                    random.nextInt(3) == 0 ? null : 20,
                    status == RunState.FAILED || status == RunState.CANCELLED ? "reason " + random.nextInt(5) : null));
        }
        return changes;
    }

    /** Interleaves the runs' changes at random; each run's own changes stay in their order. */
    private void shuffleKeepingEachRunsOrder(List<StatusChange> changes) {
        List<StatusChange> shuffled = new ArrayList<>(changes.size());
        List<List<StatusChange>> queues = new ArrayList<>();
        for (StatusChange c : changes) {
            if (queues.isEmpty() || !queues.getLast().getFirst().run().runId().equals(c.run().runId())) {
                queues.add(new ArrayList<>());
            }
            queues.getLast().add(c);
        }
        while (!queues.isEmpty()) {
            int pick = random.nextInt(queues.size());
            shuffled.add(queues.get(pick).removeFirst());
            if (queues.get(pick).isEmpty()) {
                queues.remove(pick);
            }
        }
        changes.clear();
        changes.addAll(shuffled);
    }

    private void apply(List<StatusChange> changes) {
        database.withTransaction(connection -> batches.applyStatuses(connection, changes))
                .await().atMost(PATIENCE);
    }

    private String row(UUID run) {
        var rows = database.preparedQuery("""
                select status, reason, partition_value, attempt, sequence, epoch, epochs, updated_at
                from run_status where run_id = $1""").execute(Tuple.of(run)).await().atMost(PATIENCE);
        if (rows.size() == 0) {
            return "none";
        }
        Row r = rows.iterator().next();
        return String.join("/", r.getString(0), r.getString(1), r.getString(2), String.valueOf(r.getInteger(3)),
                String.valueOf(r.getLong(4)), String.valueOf(r.getInteger(5)), String.valueOf(r.getInteger(6)),
                String.valueOf(r.getOffsetDateTime(7)));
    }

    private static StatusChange on(UUID run, StatusChange c) {
        return new StatusChange(new RunRef(c.run().experimentId(), run, c.run().attempt(), c.run().sequence(),
                c.run().trainer(), c.run().at()), c.status(), c.partition(), c.epoch(), c.epochs(), c.reason());
    }

    private static RunRef ref(UUID experiment, UUID run, int attempt, long sequence) {
        return new RunRef(experiment, run, attempt, sequence, "trainer-t",
                Instant.parse("2026-11-24T00:00:00Z").plusSeconds(attempt * 1000L + sequence));
    }

    private static RunRef ref(RunRef run, int attempt, long sequence) {
        return ref(run.experimentId(), run.runId(), attempt, sequence);
    }
}
