package io.trainyard.scheduler.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.Topology;
import io.trainyard.contracts.TrainRun;
import io.trainyard.scheduler.testing.Api;
import io.trainyard.scheduler.testing.Broker;
import io.trainyard.storage.testing.S3ProxyResource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Commands that end in {@code trainyard.dead} fail their runs, with the broker's reason. */
@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
class DeadCommandTest {

    private static final String TEST_QUEUE = Topology.trainerQueue(Broker.TEST_POOL);

    Broker broker;

    @BeforeEach
    void connect() {
        broker = Broker.connect();
    }

    @AfterEach
    void disconnect() {
        broker.close();
    }

    @AfterAll
    static void cleanUp() {
        Broker.purgeTestPool();
    }

    /** An experiment of {@code cities} QUEUED runs; returns its id and the commands of its runs. */
    private static List<TrainRun> queuedExperiment(int cities) {
        UUID id = Api.submitted(Api.spec(Api.demoDataset(cities)));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(Api.runs(id))
                .extracting(r -> r.get("state")).containsOnly("QUEUED").hasSize(cities));
        return Api.runs(id).stream().map(r -> Broker.command(id, UUID.fromString((String) r.get("id")))).toList();
    }

    private void deadLetter(byte[] body, String reason) throws Exception {
        broker.deadLetter(body, reason);
    }

    private static Map<String, Object> awaitRun(TrainRun command, String state) {
        await().atMost(Duration.ofSeconds(15)).until(() -> state.equals(Api.run(command.experimentId(),
                command.runId()).get("state")));
        return Api.run(command.experimentId(), command.runId());
    }

    @Test
    void commandThatReachedTheDeliveryLimitFailsItsRunOnly() throws Exception {
        List<TrainRun> commands = queuedExperiment(2);

        deadLetter(Messages.encode(commands.get(0)), "delivery_limit");

        Map<String, Object> run = awaitRun(commands.get(0), "FAILED");
        assertThat((String) run.get("reason")).contains("after 6 deliveries", "delivery limit reached", TEST_QUEUE);
        assertThat(run.get("finishedAt")).isNotNull();
        assertThat(Api.run(commands.get(1).experimentId(), commands.get(1).runId()).get("state"))
                .isEqualTo("QUEUED");
    }

    @Test
    void rejectedCommandFailsItsRunAfterAnUndecodableMessageWasDropped() throws Exception {
        List<TrainRun> commands = queuedExperiment(1);

        deadLetter("not a command".getBytes(StandardCharsets.UTF_8), "rejected");
        deadLetter(Messages.encode(commands.get(0)), "rejected");

        Map<String, Object> run = awaitRun(commands.get(0), "FAILED");
        assertThat((String) run.get("reason")).contains("rejected", TEST_QUEUE);
    }

    @Test
    void commandOfAFinishedRunLeavesItsResult() throws Exception {
        List<TrainRun> commands = queuedExperiment(2);
        deadLetter(Messages.encode(commands.get(0)), "delivery_limit");
        awaitRun(commands.get(0), "FAILED");

        // Dead-lettered again with another reason: the first failure stands. The second run's failure shows that
        // the message before it was processed.
        deadLetter(Messages.encode(commands.get(0)), "rejected");
        deadLetter(Messages.encode(commands.get(1)), "rejected");
        awaitRun(commands.get(1), "FAILED");
        assertThat((String) Api.run(commands.get(0).experimentId(), commands.get(0).runId()).get("reason"))
                .contains("delivery limit");
    }

    @Test
    void commandThatRabbitMqDeadLetteredFromAQuorumQueueFailsItsRun() throws Exception {
        List<TrainRun> commands = queuedExperiment(1);
        // A queue of this test like a trainer queue, with a delivery limit of 1: two failed deliveries dead-letter.
        String queue = "scheduler-test.dead-letter." + UUID.randomUUID();
        Channel channel = broker.channel();
        channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum", "x-delivery-limit", 1L,
                "x-dead-letter-exchange", Topology.DEAD_EXCHANGE, "x-dead-letter-routing-key", queue));
        try {
            channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
                    Messages.encode(commands.get(0)));
            channel.waitForConfirmsOrDie(10_000);
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                GetResponse delivery = channel.basicGet(queue, false);
                if (delivery == null) {
                    return channel.messageCount(queue) == 0;
                }
                channel.basicNack(delivery.getEnvelope().getDeliveryTag(), false, true);
                return false;
            });

            Map<String, Object> run = awaitRun(commands.get(0), "FAILED");
            assertThat((String) run.get("reason")).contains(queue, "delivery limit reached");
        } finally {
            channel.queueDelete(queue);
        }
    }
}
