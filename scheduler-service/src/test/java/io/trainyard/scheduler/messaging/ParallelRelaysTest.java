package io.trainyard.scheduler.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.Topology;
import io.trainyard.contracts.TrainRun;
import io.trainyard.scheduler.config.SchedulerConfig;
import io.trainyard.scheduler.repository.OutboxRepository;
import io.trainyard.scheduler.repository.RunRepository;
import io.trainyard.scheduler.testing.Broker;
import io.trainyard.storage.testing.S3ProxyResource;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Two outbox relays, as two scheduler replicas run them, publish the same outbox together: each command reaches the
 * broker once, because each relay locks the rows of its batch and skips those the other holds
 * ({@code for update skip locked}).
 *
 * <p>The relays are two instances of {@link OutboxRelay} beside the application's own, each with its own in-flight
 * memory and meter registry (as separate processes would have), sharing the database and the broker. Batches are
 * small here so that the two take turns over many batches rather than one taking everything at once; the
 * application's relay only runs when a submission triggers it (none does here).
 */
@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
@TestProfile(ParallelRelaysTest.SmallBatches.class)
class ParallelRelaysTest {

    private static final int COMMANDS = 400;

    /** Small batches; the application's relay polls too rarely to take part. */
    public static class SmallBatches implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("trainyard.scheduler.outbox.batch-size", "10",
                    "trainyard.scheduler.outbox.poll-interval", "1h");
        }
    }

    @Inject
    OutboxRepository outbox;
    @Inject
    RunRepository runs;
    @Inject
    CommandPublisher publisher;
    @Inject
    BrokerTopology topology;
    @Inject
    SchedulerConfig config;
    @Inject
    Vertx vertx;
    @Inject
    AgroalDataSource database;

    @AfterAll
    static void cleanUp() {
        Broker.purgeTestPool();
    }

    @Test
    void twoRelaysPublishEachCommandOnce() throws Exception {
        UUID experimentId = UUID.randomUUID();
        try (Broker broker = Broker.connect()) {
            ConcurrentLinkedQueue<UUID> delivered = observe(broker.channel(), experimentId);
            insertCommands(experimentId, COMMANDS);

            SimpleMeterRegistry metersA = new SimpleMeterRegistry();
            SimpleMeterRegistry metersB = new SimpleMeterRegistry();
            OutboxRelay a = new OutboxRelay(outbox, runs, publisher, topology, config, vertx, metersA);
            OutboxRelay b = new OutboxRelay(outbox, runs, publisher, topology, config, vertx, metersB);
            a.onStart(null);
            b.onStart(null);
            try {
                a.trigger();
                b.trigger();
                await().atMost(Duration.ofSeconds(90)).until(() -> unsent(experimentId) == 0);
                // Anything published twice would arrive by now; keep watching a little longer anyway.
                await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(30))
                        .until(() -> delivered.size() >= COMMANDS);
            } finally {
                a.onStop(null);
                b.onStop(null);
            }

            assertThat(delivered).hasSize(COMMANDS).doesNotHaveDuplicates();
            // Both took part: this was two relays at work, not one doing everything while the other waited.
            assertThat(published(metersA)).as("commands relay A published").isPositive();
            assertThat(published(metersB)).as("commands relay B published").isPositive();
            assertThat(published(metersA) + published(metersB)).isGreaterThanOrEqualTo(COMMANDS);
        }
    }

    private static double published(SimpleMeterRegistry registry) {
        return registry.get("trainyard.scheduler.commands.published").counter().count();
    }

    /** Run ids of the experiment's commands, as a queue of this test bound to the test pool's key receives them. */
    private static ConcurrentLinkedQueue<UUID> observe(Channel channel, UUID experimentId) throws Exception {
        String queue = channel.queueDeclare("", false, true, true, null).getQueue();
        channel.queueBind(queue, Topology.COMMANDS_EXCHANGE, "run." + Broker.TEST_POOL);
        ConcurrentLinkedQueue<UUID> delivered = new ConcurrentLinkedQueue<>();
        channel.basicConsume(queue, true, (tag, delivery) -> {
            TrainRun command = Messages.decodeCommand(delivery.getBody());
            if (command.experimentId().equals(experimentId)) {
                delivered.add(command.runId());
            }
        }, tag -> {
        });
        return delivered;
    }

    /**
     * Writes unsent commands straight into the outbox, in one transaction, so that both relays find all of them
     * waiting. Ids come from the outbox's sequence one by one: each value is one no Hibernate block contains.
     */
    private void insertCommands(UUID experimentId, int count) throws Exception {
        try (Connection connection = database.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement("insert into outbox (id, run_id, routing_key,"
                    + " payload, created_at, attempts) values (nextval('outbox_seq'), ?, ?, ?, ?, 0)")) {
                for (int i = 0; i < count; i++) {
                    UUID runId = UUID.randomUUID();
                    insert.setObject(1, runId);
                    insert.setString(2, "run." + Broker.TEST_POOL);
                    insert.setBytes(3, Messages.encode(Broker.command(experimentId, runId)));
                    insert.setTimestamp(4, Timestamp.from(Instant.now()));
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            connection.commit();
        }
    }

    /** The experiment's outbox rows not yet marked sent. */
    private long unsent(UUID experimentId) throws Exception {
        try (Connection connection = database.getConnection();
                PreparedStatement query = connection.prepareStatement("select run_id, payload from outbox "
                        + "where sent_at is null and routing_key = ?")) {
            query.setString(1, "run." + Broker.TEST_POOL);
            long count = 0;
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    if (Messages.decodeCommand(rows.getBytes(2)).experimentId().equals(experimentId)) {
                        count++;
                    }
                }
            }
            return count;
        }
    }
}
