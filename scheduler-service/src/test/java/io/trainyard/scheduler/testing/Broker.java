package io.trainyard.scheduler.testing;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.trainyard.contracts.DataSpec;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.ModelSpec;
import io.trainyard.contracts.RunEvent;
import io.trainyard.contracts.Topology;
import io.trainyard.contracts.TrainRun;
import io.trainyard.contracts.TrainingSpec;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.microprofile.config.ConfigProvider;

/** The machine's RabbitMQ, driven with the plain client as trainers and observers would. */
public final class Broker implements AutoCloseable {

    /** The pool the tests submit to: its queue is theirs, no trainer consumes it. */
    public static final String TEST_POOL = "scheduler-test";

    private final Connection connection;
    private final Channel channel;

    private Broker(Connection connection) throws Exception {
        this.connection = connection;
        this.channel = connection.createChannel();
        channel.confirmSelect();
    }

    public static Broker connect() {
        try {
            ConnectionFactory factory = new ConnectionFactory();
            factory.setHost("127.0.0.1");
            factory.setPort(5672);
            factory.setUsername("guest");
            factory.setPassword("guest");
            // The services' own virtual host: the tests' is not the local stack's "/" (application.properties, %test).
            factory.setVirtualHost(ConfigProvider.getConfig().getOptionalValue("rabbitmq-virtual-host", String.class)
                    .orElse("/"));
            return new Broker(factory.newConnection("scheduler-service-test"));
        } catch (Exception e) {
            throw new IllegalStateException("cannot connect to RabbitMQ on 127.0.0.1:5672", e);
        }
    }

    public Channel channel() {
        return channel;
    }

    /** Publishes an event as a trainer does: persistent JSON on the events exchange, confirmed. */
    public void publish(RunEvent event) {
        publishRaw(event.routingKey(), Messages.encode(event));
    }

    /** Publishes events in this order as trainers do, waiting for the broker's confirms once, after the last. */
    public void publishAll(List<? extends RunEvent> events) {
        try {
            AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                    .contentType("application/json").deliveryMode(2).build();
            for (RunEvent event : events) {
                channel.basicPublish(Topology.EVENTS_EXCHANGE, event.routingKey(), properties, Messages.encode(event));
            }
            channel.waitForConfirmsOrDie(60_000);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public void publishRaw(String routingKey, byte[] body) {
        try {
            AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                    .contentType("application/json").deliveryMode(2).build();
            channel.basicPublish(Topology.EVENTS_EXCHANGE, routingKey, properties, body);
            channel.waitForConfirmsOrDie(10_000);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Publishes {@code body} into {@code trainyard.dead} as RabbitMQ dead-letters a message of the test pool's queue:
     * with an {@code x-death} header of {@code reason} ({@code delivery_limit}, {@code rejected}, ...).
     */
    public void deadLetter(byte[] body, String reason) {
        String queue = Topology.trainerQueue(TEST_POOL);
        Map<String, Object> death = Map.of("reason", reason, "queue", queue, "count", 1L,
                "exchange", Topology.COMMANDS_EXCHANGE, "routing-keys", List.of("run." + TEST_POOL),
                "time", new Date());
        try {
            AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().contentType("application/json")
                    .deliveryMode(2).headers(Map.of("x-death", List.of(death))).build();
            channel.basicPublish(Topology.DEAD_EXCHANGE, queue, properties, body);
            channel.waitForConfirmsOrDie(10_000);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A command for a run of the test pool, as the scheduler would have published it (values do not matter). */
    public static TrainRun command(UUID experimentId, UUID runId) {
        return new TrainRun(Messages.SCHEMA_VERSION, experimentId, runId, TEST_POOL,
                new DataSpec("d", "city", "Amsterdam", "date", "demand"), new ModelSpec("mlp-forecaster", Map.of()),
                new TrainingSpec(10, 32, 0.001, 42, 5), 0, Instant.now());
    }

    /** A delivery of a command, as an observer saw it. */
    public record Delivery(String routingKey, AMQP.BasicProperties properties, byte[] body) {
    }

    /**
     * Starts seeing every command published from now on, through an exclusive queue of this test bound to
     * {@code trainyard.commands} with {@code run.#} (the trainer queues are left alone).
     */
    public List<Delivery> observeCommands() {
        return observe(Topology.COMMANDS_EXCHANGE, "run.#");
    }

    /** Starts seeing every signal published on {@code trainyard.control} from now on, through a queue of this test. */
    public List<Delivery> observeControl() {
        try {
            channel.exchangeDeclare(Topology.CONTROL_EXCHANGE, "fanout", true);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return observe(Topology.CONTROL_EXCHANGE, "");
    }

    /** Every message published on {@code exchange} with {@code binding} from now on, through an exclusive queue. */
    private List<Delivery> observe(String exchange, String binding) {
        try {
            String queue = channel.queueDeclare("", false, true, true, null).getQueue();
            channel.queueBind(queue, exchange, binding);
            List<Delivery> deliveries = new CopyOnWriteArrayList<>();
            channel.basicConsume(queue, true, (tag, delivery) -> deliveries.add(new Delivery(
                    delivery.getEnvelope().getRoutingKey(), delivery.getProperties(), delivery.getBody())),
                    tag -> {
                    });
            return deliveries;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Empties the test pool's queue, which only these tests fill (nobody trains their runs). */
    public static void purgeTestPool() {
        try (Broker broker = connect()) {
            broker.channel.queuePurge(Topology.trainerQueue(TEST_POOL));
        } catch (Exception e) {
            // Missing queue (first run) or broker gone: nothing to clean.
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}
