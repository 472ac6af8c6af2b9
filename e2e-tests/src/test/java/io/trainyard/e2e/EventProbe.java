package io.trainyard.e2e;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.trainyard.contracts.InvalidMessageException;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.RunEvent;
import io.trainyard.contracts.Topology;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/** Watches every run event on the real broker through a queue of its own. */
final class EventProbe implements AutoCloseable {

    private final Connection connection;
    private final List<RunEvent> events = new CopyOnWriteArrayList<>();

    EventProbe() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        connection = factory.newConnection("e2e-probe");
        Channel channel = connection.createChannel();
        channel.exchangeDeclare(Topology.EVENTS_EXCHANGE, "topic", true);
        String queue = channel.queueDeclare("", false, true, true, null).getQueue();
        channel.queueBind(queue, Topology.EVENTS_EXCHANGE, Topology.ALL_RUN_EVENTS);
        channel.basicConsume(queue, true, (tag, delivery) -> {
            try {
                events.add(Messages.decodeEvent(delivery.getBody()));
            } catch (InvalidMessageException ignored) {
                // another test's junk
            }
        }, tag -> {
        });
    }

    /** Every event of the experiment, in arrival order. */
    List<RunEvent> of(UUID experimentId) {
        return events.stream().filter(e -> e.run().experimentId().equals(experimentId)).toList();
    }

    <T extends RunEvent> List<T> of(UUID experimentId, Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast)
                .filter(e -> e.run().experimentId().equals(experimentId)).toList();
    }

    @Override
    public void close() throws Exception {
        connection.close();
    }
}
