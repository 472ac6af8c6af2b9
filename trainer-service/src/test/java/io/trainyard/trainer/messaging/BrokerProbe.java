package io.trainyard.trainer.messaging;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.trainyard.contracts.CancelRuns;
import io.trainyard.contracts.InvalidMessageException;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.RunEvent;
import io.trainyard.contracts.Topology;
import io.trainyard.contracts.TrainRun;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.microprofile.config.ConfigProvider;

/** The test's own connection to the real broker: publishes commands and records every run event. */
final class BrokerProbe implements AutoCloseable {

    private final Connection connection;
    private final Channel channel;
    private final List<RunEvent> events = new CopyOnWriteArrayList<>();

    /** A probe on the machine's broker, in the services' virtual host (the tests' own: application.properties). */
    BrokerProbe() throws Exception {
        this(ConnectionFactory.DEFAULT_AMQP_PORT, ConfigProvider.getConfig()
                .getOptionalValue("rabbitmq-virtual-host", String.class).orElse("/"));
    }

    /** A probe on the broker at 127.0.0.1:{@code port}, in {@code virtualHost}. */
    BrokerProbe(int port, String virtualHost) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(port);
        factory.setVirtualHost(virtualHost);
        connection = factory.newConnection("trainer-test-probe");
        channel = connection.createChannel();
        channel.exchangeDeclare(Topology.EVENTS_EXCHANGE, "topic", true);
        String queue = channel.queueDeclare("", false, true, true, null).getQueue();
        channel.queueBind(queue, Topology.EVENTS_EXCHANGE, Topology.ALL_RUN_EVENTS);
        channel.basicConsume(queue, true, (tag, delivery) -> {
            try {
                events.add(Messages.decodeEvent(delivery.getBody()));
            } catch (InvalidMessageException ignored) {
                // not ours to judge
            }
        }, tag -> {
        });
        channel.confirmSelect();
    }

    void publish(String pool, byte[] body) throws Exception {
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .contentType("application/json").deliveryMode(2).build();
        channel.basicPublish(Topology.COMMANDS_EXCHANGE, Topology.commandRoutingKey(pool), properties, body);
        channel.waitForConfirmsOrDie(10_000);
    }

    void publish(TrainRun command) throws Exception {
        publish(command.pool(), Messages.encode(command));
    }

    /** Sends a cancel signal to every trainer, as the scheduler's outbox relay does. */
    void signal(CancelRuns signal) throws Exception {
        channel.exchangeDeclare(Topology.CONTROL_EXCHANGE, "fanout", true);
        channel.basicPublish(Topology.CONTROL_EXCHANGE, "", null, Messages.encode(signal));
        channel.waitForConfirmsOrDie(10_000);
    }

    /** Messages ready in {@code pool}'s queue. */
    long queued(String pool) throws Exception {
        try (Channel ch = connection.createChannel()) {
            return ch.messageCount(Topology.trainerQueue(pool));
        }
    }

    /** Events of {@code runId} in arrival order. */
    List<RunEvent> events(UUID runId) {
        return events.stream().filter(e -> e.run().runId().equals(runId)).toList();
    }

    <T extends RunEvent> List<T> events(UUID runId, Class<T> type) {
        return events(runId).stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Takes the dead-lettered message whose body contains {@code marker}, leaving the others in the queue. */
    boolean takeDeadLetter(String marker) throws Exception {
        try (Channel ch = connection.createChannel()) {
            List<Long> others = new ArrayList<>();
            GetResponse response;
            while ((response = ch.basicGet(Topology.DEAD_QUEUE, false)) != null) {
                long tag = response.getEnvelope().getDeliveryTag();
                if (new String(response.getBody()).contains(marker)) {
                    ch.basicAck(tag, false);
                    for (long other : others) {
                        ch.basicNack(other, false, true);
                    }
                    return true;
                }
                others.add(tag);
            }
            for (long other : others) {
                ch.basicNack(other, false, true);
            }
            return false;
        }
    }

    /** Declares {@code pool}'s queue as the scheduler does; RabbitMQ refuses it if the arguments differ. */
    void declareLikeTheScheduler(String pool) throws Exception {
        try (Channel ch = connection.createChannel()) {
            ch.queueDeclare(Topology.trainerQueue(pool), true, false, false,
                    Topology.trainerQueueArguments(pool, Topology.DEFAULT_DELIVERY_LIMIT));
        }
    }

    @Override
    public void close() throws Exception {
        connection.close();
    }
}
