package io.trainyard.results;

import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.RunEvent;
import io.trainyard.contracts.Topology;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.config.ConfigProvider;

/** Publishes to the real broker the way the trainers do: persistent JSON on trainyard.events, confirmed. */
final class EventBroker implements AutoCloseable {

    private final Connection connection;
    private final Channel channel;

    EventBroker() throws IOException, TimeoutException {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(5672);
        factory.setUsername("guest");
        factory.setPassword("guest");
        // The services' own virtual host: the tests' is not the local stack's "/" (application.properties, %test).
        factory.setVirtualHost(ConfigProvider.getConfig().getOptionalValue("rabbitmq-virtual-host", String.class)
                .orElse("/"));
        connection = factory.newConnection("results-service-test");
        awaitQueueBound();
        channel = connection.createChannel();
        channel.confirmSelect();
    }

    /** The service declares and binds its queue at start-up; events published before that would be lost. */
    private void awaitQueueBound() {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            // a failed passive declare closes the channel, so each try gets its own
            try (Channel probe = connection.createChannel()) {
                probe.queueDeclarePassive(Topology.RESULTS_EVENTS_QUEUE);
                // idempotent: the same binding the service makes, in case the test beats it to it
                probe.queueBind(Topology.RESULTS_EVENTS_QUEUE, Topology.EVENTS_EXCHANGE, Topology.ALL_RUN_EVENTS);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    void publish(RunEvent event) throws IOException, InterruptedException, TimeoutException {
        publish(event.routingKey(), Messages.encode(event));
    }

    void publish(String routingKey, byte[] body) throws IOException, InterruptedException, TimeoutException {
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .contentType("application/json")
                .deliveryMode(2)
                .build();
        channel.basicPublish(Topology.EVENTS_EXCHANGE, routingKey, false, properties, body);
        channel.waitForConfirmsOrDie(10_000);
    }

    /** Publishes all of them back to back, then waits for the broker's confirms: they arrive as a burst. */
    void publishBurst(List<Map.Entry<String, byte[]>> messages)
            throws IOException, InterruptedException, TimeoutException {
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .contentType("application/json")
                .deliveryMode(2)
                .build();
        for (Map.Entry<String, byte[]> message : messages) {
            channel.basicPublish(Topology.EVENTS_EXCHANGE, message.getKey(), false, properties, message.getValue());
        }
        channel.waitForConfirmsOrDie(30_000);
    }

    @Override
    public void close() throws IOException {
        connection.close();
    }
}
