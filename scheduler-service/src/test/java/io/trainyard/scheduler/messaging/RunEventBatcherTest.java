package io.trainyard.scheduler.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.rabbitmq.RabbitMQRejectMetadata;
import io.trainyard.contracts.RunEvent;
import io.trainyard.contracts.RunProgressed;
import io.trainyard.contracts.RunRef;
import io.trainyard.contracts.RunStarted;
import io.trainyard.scheduler.config.SchedulerConfig;
import io.trainyard.scheduler.service.RunEventService;
import io.trainyard.scheduler.testing.RunTables;
import io.trainyard.storage.testing.S3ProxyResource;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

/**
 * How the batcher settles messages: acked only once their batch committed, given back to the queue (requeued) when
 * it did not. Messages here are plain {@link Message}s recording how they were settled; the database is the real one.
 */
@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
class RunEventBatcherTest {

    @Inject
    RunEventService service;
    @Inject
    SchedulerConfig config;
    @Inject
    Vertx vertx;
    @Inject
    AgroalDataSource database;

    private final UUID experiment = UUID.randomUUID();
    /** How each message was settled: "ack", "requeue" or "reject", by the event's run and sequence. */
    private final Map<String, String> settled = new ConcurrentHashMap<>();
    private final Map<String, Instant> settledAt = new ConcurrentHashMap<>();

    private Message<byte[]> message(String name) {
        return Message.of(new byte[0], metadata -> {
            settledAt.put(name, Instant.now());
            settled.merge(name, "ack", (a, b) -> a + "," + b);
            return CompletableFuture.completedFuture(null);
        }, (failure, metadata) -> {
            boolean requeue = metadata.get(RabbitMQRejectMetadata.class).map(RabbitMQRejectMetadata::isRequeue)
                    .orElse(false);
            settledAt.put(name, Instant.now());
            settled.merge(name, requeue ? "requeue" : "reject", (a, b) -> a + "," + b);
            return CompletableFuture.completedFuture(null);
        });
    }

    private RunRef ref(UUID run, long sequence, String trainer) {
        return new RunRef(experiment, run, 1, sequence, trainer, Instant.now());
    }

    @Test
    void anEventTheDatabaseRefusesIsRequeuedAndTheRestOfItsBatchIsApplied() throws Exception {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        UUID c = UUID.randomUUID();
        RunTables tables = new RunTables(database);
        tables.insertQueuedRuns(experiment, List.of(a, b, c));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        RunEventBatcher batcher = new RunEventBatcher(service, config, vertx, meters);

        // Run c is locked here, so the first batch (c's start alone) waits and the next three events queue up
        // behind it: they are applied together, as one batch.
        try (Connection lock = database.getConnection()) {
            lock.setAutoCommit(false);
            try (PreparedStatement s = lock.prepareStatement("select id from run where id = ? for update")) {
                s.setObject(1, c);
                s.executeQuery().close();
            }
            batcher.submit(new RunStarted(ref(c, 1, "t"), "p", 0, null, 10, null), message("c1"));
            batcher.submit(new RunStarted(ref(a, 1, "t"), "p", 0, null, 10, null), message("a1"));
            // Longer than the trainer column (varchar(255)): the database refuses the whole batch.
            RunEvent refused = new RunStarted(ref(b, 1, "t".repeat(300)), "p", 0, null, 10, null);
            batcher.submit(refused, message("b1"));
            batcher.submit(new RunProgressed(ref(a, 2, "t"), 4, 10, 1, 1, 1), message("a2"));
            Thread.sleep(200);
            assertThat(settled).isEmpty();
            lock.rollback();
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> settled.size() == 4 && batcher.unsettled() == 0);
        assertThat(settled).containsExactlyInAnyOrderEntriesOf(Map.of("c1", "ack", "a1", "ack", "a2", "ack",
                "b1", "requeue"));
        Map<UUID, Map<String, Object>> rows = tables.runRows(List.of(a, b, c));
        assertThat(rows.get(a)).containsEntry("state", "RUNNING").containsEntry("epoch", 4);
        assertThat(rows.get(b)).containsEntry("state", "QUEUED").containsEntry("trainer", null);
        assertThat(rows.get(c)).containsEntry("state", "RUNNING");
        assertThat(tables.attemptRows(List.of(b))).isEmpty();
        assertThat(meters.get("trainyard.scheduler.run.events").tag("outcome", "applied").counter().count())
                .isEqualTo(3);
        assertThat(meters.get("trainyard.scheduler.run.events").tag("outcome", "retried").counter().count())
                .isEqualTo(1);
    }

    @Test
    void aBatchThatCannotCommitIsRequeuedAfterThePauseAndNotAcked() throws Exception {
        UUID a = UUID.randomUUID();
        RunTables tables = new RunTables(database);
        tables.insertQueuedRuns(experiment, List.of(a));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        RunEventBatcher batcher = new RunEventBatcher(service, config, vertx, meters);

        // The batch waits for the run's lock held here; then its connection is killed, as when the database goes
        // away mid-transaction. Its events must go back to the queue after the pause, and never be acked.
        Instant killed;
        try (Connection lock = database.getConnection()) {
            lock.setAutoCommit(false);
            try (PreparedStatement s = lock.prepareStatement("select id from run where id = ? for update")) {
                s.setObject(1, a);
                s.executeQuery().close();
            }
            batcher.submit(new RunStarted(ref(a, 1, "t"), "p", 0, null, 10, null), message("a1"));
            batcher.submit(new RunProgressed(ref(a, 2, "t"), 4, 10, 1, 1, 1), message("a2"));
            await().atMost(Duration.ofSeconds(10)).until(() -> terminateWaitingBatch() == 1);
            killed = Instant.now();
            // a2 may have come after a1's batch had started: its own batch waits for the lock too
            await().atMost(Duration.ofSeconds(20)).until(() -> terminateWaitingBatch() >= 0 && settled.size() == 2);
            lock.rollback();
        }
        // given back after the pause (retry-delay), not at once
        assertThat(Duration.between(killed, settledAt.get("a1")))
                .isGreaterThanOrEqualTo(config.events().retryDelay().minusMillis(50));
        assertThat(settled).containsExactlyInAnyOrderEntriesOf(Map.of("a1", "requeue", "a2", "requeue"));
        assertThat(batcher.unsettled()).isZero();
        assertThat(tables.runRows(List.of(a)).get(a)).containsEntry("state", "QUEUED").containsEntry("epoch", 0);
        assertThat(meters.get("trainyard.scheduler.run.events").tag("outcome", "retried").counter().count())
                .isEqualTo(2);
        assertThat(meters.find("trainyard.scheduler.run.events").tag("outcome", "applied").counter()).isNull();
    }

    /** Ends the database session of a batch waiting for a run's lock; returns how many it ended. */
    private int terminateWaitingBatch() throws Exception {
        try (Connection connection = database.getConnection();
                PreparedStatement s = connection.prepareStatement("select count(pg_terminate_backend(pid)) "
                        + "from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' "
                        + "and query like '%from run where id = any%for update%'");
                var rs = s.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
