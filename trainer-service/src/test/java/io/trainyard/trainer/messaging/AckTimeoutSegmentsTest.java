package io.trainyard.trainer.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.trainyard.contracts.DataSpec;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.ModelSpec;
import io.trainyard.contracts.RunCompleted;
import io.trainyard.contracts.RunProgressed;
import io.trainyard.contracts.RunReleased;
import io.trainyard.contracts.RunStarted;
import io.trainyard.contracts.Topology;
import io.trainyard.contracts.TrainRun;
import io.trainyard.contracts.TrainingSpec;
import io.trainyard.storage.DatasetStore;
import io.trainyard.storage.demo.CityDemand;
import io.trainyard.storage.testing.S3ProxyResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * A run several times longer than the broker's {@code consumer_timeout} completes exactly once, because the trainer
 * holds no delivery longer than its segment budget: it checkpoints, hands the run back as a fresh command and acks.
 *
 * <p>The trainer under test talks to a RabbitMQ node of this test's own ({@link PrivateRabbitMq}) whose
 * {@code consumer_timeout} is {@value #CONSUMER_TIMEOUT_MS} ms, checked every {@value #TICK_MS} ms (RabbitMQ 3.10
 * checks it only on a channel tick, 60 s by default: with that, a run would have to last over a minute to prove
 * anything). The run waits {@value #EPOCHS} × 1 s ({@code synthetic} kind), the segment budget is 1 s.
 *
 * <p>Why this can fail: without segments (a budget longer than the run) the trainer holds the one delivery for the
 * whole run; at the first tick after {@value #CONSUMER_TIMEOUT_MS} ms the broker closes the trainer's channel with
 * PRECONDITION_FAILED and returns the message to the queue with its {@code x-delivery-count} raised, so the run is
 * delivered again while the first delivery trains on and its ack can no longer be delivered: attempts skip numbers,
 * the redelivery counter moves, the command is left in the queue or the run is announced more than once. To see
 * it, run with {@code -Dtrainyard.ack-timeout-test.segment-budget=1h} (by hand only: it is slow). Seen that way: the
 * broker cut the trainer's channel about every 4.5 s (the connector re-subscribed each time), the run came back three
 * times (attempts 2, 3, 4 from {@code x-delivery-count}), and once the first delivery finished each of them announced
 * {@code run.completed} again: four completions. With more than one slot the copies would have trained at once.
 *
 * <p>A calibration consumer that never acks, run alongside, proves that this node does enforce the timeout, so a
 * green run is not a broker that simply never checks.
 */
@QuarkusTest
@TestProfile(AckTimeoutSegmentsTest.PrivateBrokerShortSegments.class)
class AckTimeoutSegmentsTest {

    static final long CONSUMER_TIMEOUT_MS = 4000;
    static final long TICK_MS = 500;
    static final int EPOCHS = 16;
    static final String POOL = "test-ack-timeout";
    private static final Logger LOG = Logger.getLogger(AckTimeoutSegmentsTest.class);

    public static class PrivateBrokerShortSegments implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "trainyard.trainer.segment-budget",
                    System.getProperty("trainyard.ack-timeout-test.segment-budget", "1s"),
                    "trainyard.trainer.pool", POOL,
                    "trainyard.trainer.concurrency", "1");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            // Both servers take seconds to start: start them side by side.
            return List.of(new TestResourceEntry(S3ProxyResource.class, Map.of(), true),
                    new TestResourceEntry(PrivateBrokerResource.class, Map.of(), true));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true; // S3Proxy is listed above; the other classes' global one would start a second
        }
    }

    /** Starts the private node before the trainer and points the trainer at it; removes it however the test ends. */
    public static class PrivateBrokerResource implements QuarkusTestResourceLifecycleManager {
        private PrivateRabbitMq node;

        @Override
        public Map<String, String> start() {
            node = PrivateRabbitMq.start(Duration.ofMillis(CONSUMER_TIMEOUT_MS), Duration.ofMillis(TICK_MS));
            // A fresh node has only the default virtual host.
            return Map.of("rabbitmq-port", Integer.toString(node.port()), "rabbitmq-virtual-host", "/");
        }

        @Override
        public void stop() {
            if (node != null) {
                node.close();
            }
        }
    }

    @Inject
    DatasetStore datasets;
    @Inject
    MeterRegistry registry;
    @ConfigProperty(name = "rabbitmq-port")
    int port;

    @Test
    void aRunSeveralTimesTheAckTimeoutCompletesOnceInSegments() throws Exception {
        String dataset = "ack-timeout-" + UUID.randomUUID().toString().substring(0, 8);
        CityDemand.Generated generated = CityDemand.generate(dataset, 1, 60, 5); // synthetic does not read it
        datasets.save(generated.meta(), generated.csv());
        TrainingSpec spec = new TrainingSpec(EPOCHS, 1, 1e-3, 3, 5);
        TrainRun command = new TrainRun(Messages.SCHEMA_VERSION, UUID.randomUUID(), UUID.randomUUID(), POOL,
                new DataSpec(dataset, "city", generated.meta().partitions().get(0), "date", "demand"),
                new ModelSpec("synthetic", Map.of("secondsPerEpoch", 1, "stepsPerEpoch", 10)), spec, 0,
                Instant.now());
        String queue = Topology.trainerQueue(POOL);

        try (BrokerProbe broker = new BrokerProbe(port, "/");
                Connection connection = PrivateRabbitMq.connect(port, "ack-timeout-test")) {
            // The trainer declares and binds its queue as it starts; a command published before would be dropped.
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> inspect(connection, queue).getConsumerCount() == 1);
            CompletableFuture<Calibration> calibration = holdOneDeliveryUnacked(connection);

            broker.publish(command);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !broker.events(command.runId(), RunCompleted.class).isEmpty());
            // A second announcement would follow within a segment; a timed-out delivery would be back by now too.
            Thread.sleep(2 * TICK_MS + 1000);

            Calibration seen = calibration.get(CONSUMER_TIMEOUT_MS + 10 * TICK_MS + 10_000, TimeUnit.MILLISECONDS);
            assertThat(seen.reason()).as("the node closes a channel that holds a delivery too long")
                    .contains("PRECONDITION_FAILED").contains("delivery acknowledgement");
            // Seen: 4.004 s. The slack is for a busy machine; the default tick would make it up to 64 s.
            assertThat(seen.after()).as("and does so within a few ticks after consumer_timeout")
                    .isBetween(Duration.ofMillis(CONSUMER_TIMEOUT_MS),
                            Duration.ofMillis(CONSUMER_TIMEOUT_MS + 10 * TICK_MS));

            List<RunStarted> segments = broker.events(command.runId(), RunStarted.class);
            RunCompleted completed = broker.events(command.runId(), RunCompleted.class).get(0);
            Duration span = Duration.between(segments.get(0).run().at(), completed.run().at());
            LOG.infof("run of %d epochs: %d segments over %s; calibration consumer cut off after %s; longest "
                    + "segment (started .. released) %s", EPOCHS, segments.size(), span, seen.after(),
                    longestSegment(broker.events(command.runId(), RunReleased.class), segments));

            assertThat(span).as("the run lasted several consumer timeouts")
                    .isGreaterThan(Duration.ofMillis(3 * CONSUMER_TIMEOUT_MS));
            assertThat(broker.events(command.runId(), RunCompleted.class)).as("announced once").hasSize(1);
            assertThat(segments).extracting(s -> s.run().attempt())
                    .as("every delivery a fresh continuation, none a redelivery: attempts go 1, 2, 3, ...")
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, segments.size()).boxed().toList());
            assertThat(segments.size()).as("segments").isGreaterThan((int) (EPOCHS * 1000 / CONSUMER_TIMEOUT_MS));
            assertThat(segments.subList(1, segments.size())).as("each later segment resumes from a checkpoint")
                    .allSatisfy(s -> assertThat(s.resumedFromEpoch()).isNotNull());
            assertThat(broker.events(command.runId(), RunProgressed.class)).extracting(RunProgressed::epoch)
                    .as("every epoch trained once").containsExactlyElementsOf(
                            IntStream.rangeClosed(1, EPOCHS).boxed().toList());
            assertThat(registry.counter("trainyard.trainer.redeliveries").count())
                    .as("no delivery came with an x-delivery-count").isZero();
            AMQP.Queue.DeclareOk left = inspect(connection, queue);
            assertThat(left.getMessageCount()).as("commands left in the queue").isZero();
            assertThat(left.getConsumerCount()).as("the trainer still consumes: its channel was never closed")
                    .isEqualTo(1);
        }
    }

    /** When and why the broker closed the channel of a consumer that never acks. */
    record Calibration(Duration after, String reason) {
    }

    /** Consumes one message of a queue of its own without acking, and reports when the broker gives up on it. */
    private static CompletableFuture<Calibration> holdOneDeliveryUnacked(Connection connection) throws Exception {
        Channel channel = connection.createChannel();
        String queue = channel.queueDeclare("", false, true, true, null).getQueue();
        channel.basicPublish("", queue, null, "never acked".getBytes());
        CompletableFuture<Calibration> closed = new CompletableFuture<>();
        CompletableFuture<Long> deliveredAt = new CompletableFuture<>();
        channel.addShutdownListener((ShutdownSignalException cause) -> deliveredAt.thenAccept(at -> closed.complete(
                new Calibration(Duration.ofNanos(System.nanoTime() - at), String.valueOf(cause.getReason())))));
        channel.basicConsume(queue, false, (tag, delivery) -> deliveredAt.complete(System.nanoTime()), tag -> {
        });
        return closed;
    }

    private static Duration longestSegment(List<RunReleased> released, List<RunStarted> started) {
        return released.stream().map(r -> started.stream().filter(s -> s.run().attempt() == r.run().attempt())
                .findFirst().map(s -> Duration.between(s.run().at(), r.run().at())).orElse(Duration.ZERO))
                .max(Duration::compareTo).orElse(Duration.ZERO);
    }

    /** The queue's counts, on a channel of its own (a failed passive declare closes the channel). */
    private static AMQP.Queue.DeclareOk inspect(Connection connection, String queue) throws Exception {
        try (Channel channel = connection.createChannel()) {
            return channel.queueDeclarePassive(queue);
        }
    }
}
