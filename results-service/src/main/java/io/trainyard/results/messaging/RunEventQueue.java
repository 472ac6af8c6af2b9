package io.trainyard.results.messaging;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import io.trainyard.contracts.Topology;
import io.trainyard.results.config.CredentialsConfig;
import io.trainyard.results.config.ResultsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The service's copy of every run event on RabbitMQ: declares the queue (bound to {@code trainyard.events} with
 * {@code run.#}), consumes it with manual acks under a prefetch, and hands the deliveries over one at a time, in the
 * order the broker sent them.
 *
 * <p>The plain RabbitMQ client rather than the SmallRye connector: the connector acks every message on its own (a
 * worker-thread hop and a frame each), and on a quorum queue each single ack costs the broker about as much as the
 * delivery did. Acking a stored batch with one {@code multiple} ack, which only this client offers, is what lets the
 * broker keep up (bench/ingest.sh). The price is that acks are correct only if deliveries are settled in the order
 * they came: {@link RunEventConsumer} does so.
 *
 * <p>Connects on a thread of its own at startup and tries again until the broker answers; after that the client's
 * automatic recovery reconnects, declares the queue again and resumes consuming. Deliveries of the lost channel that
 * were not acked come again (as duplicates for the consumer), and the client drops acks for their old tags.
 */
@ApplicationScoped
public class RunEventQueue {

    private static final Logger LOG = Logger.getLogger(RunEventQueue.class);
    private static final Duration RETRY_MIN = Duration.ofMillis(500);
    private static final Duration RETRY_MAX = Duration.ofSeconds(10);

    /** One message as delivered: its tag on the channel, and its body. */
    public record Delivery(long tag, byte[] body) {
    }

    private final ConnectionFactory factory;
    private final ResultsConfig.Ingest config;
    private volatile Connection connection;
    private volatile Channel channel;
    private volatile String consumerTag;
    private volatile boolean consuming;
    private volatile boolean broken;
    private volatile boolean stopped;
    private volatile String problem = "not connected yet";
    private Thread connector;

    public RunEventQueue(ResultsConfig config, CredentialsConfig credentials,
            @ConfigProperty(name = "rabbitmq-host", defaultValue = "localhost") String host,
            @ConfigProperty(name = "rabbitmq-port", defaultValue = "5672") int port,
            @ConfigProperty(name = "rabbitmq-virtual-host", defaultValue = "/") String virtualHost) {
        this.config = config.ingest();
        this.factory = new ConnectionFactory();
        factory.setHost(host);
        factory.setPort(port);
        factory.setUsername(credentials.rabbitmqUsername());
        factory.setPassword(credentials.rabbitmqPassword());
        factory.setVirtualHost(virtualHost);
        // recovery re-declares what this connection declared and consumes again, with the same prefetch
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(RETRY_MAX.toMillis() / 2);
    }

    /**
     * Starts consuming in the background; {@code receiver} gets every delivery, on one thread at a time, in order.
     * It must not throw: a consumer that throws has its channel closed by the client.
     */
    public synchronized void start(Consumer<Delivery> receiver) {
        if (connector != null) {
            return;
        }
        connector = Thread.ofPlatform().name("run-events-connect").daemon().start(() -> connect(receiver));
    }

    /** True while deliveries can come: connected, and the broker knows the consumer. */
    public boolean isConsuming() {
        return consuming;
    }

    /**
     * True once deliveries can no longer come back by themselves: the broker closed the channel (not the connection,
     * which recovery would reopen) or cancelled the consumer (the queue was deleted). A restart declares and
     * consumes again.
     */
    public boolean isBroken() {
        return broken;
    }

    /** Why deliveries cannot come (the last failure), or null while they can. */
    public String problem() {
        return consuming ? null : problem;
    }

    /** Acks every unsettled delivery up to and including {@code tag}. */
    public void ackUpTo(long tag) {
        settle("ack", tag, c -> c.basicAck(tag, true));
    }

    /** Drops one delivery for good (it cannot be stored, now or later). */
    public void reject(long tag) {
        settle("reject", tag, c -> c.basicReject(tag, false));
    }

    /** Puts every unsettled delivery up to and including {@code tag} back on the queue. */
    public void requeueUpTo(long tag) {
        settle("requeue", tag, c -> c.basicNack(tag, true, true));
    }

    /** Stops the deliveries; unsettled ones go back to the queue when the connection closes ({@link #close}). */
    public void stopConsuming() {
        stopped = true;
        consuming = false;
        problem = "stopped";
        Thread c = connector;
        if (c != null) {
            c.interrupt();
        }
        Channel ch = channel;
        String tag = consumerTag;
        if (ch != null && tag != null && ch.isOpen()) {
            try {
                ch.basicCancel(tag);
            } catch (IOException | ShutdownSignalException e) {
                LOG.debugf("Cancelling the run-events consumer: %s", e.toString());
            }
        }
    }

    /** Closes the connection; the broker puts what was not settled back on the queue. */
    public void close() {
        stopConsuming();
        Connection c = connection;
        if (c != null && c.isOpen()) {
            try {
                c.close(5_000);
            } catch (IOException | ShutdownSignalException e) {
                LOG.debugf("Closing the run-events connection: %s", e.toString());
            }
        }
    }

    private interface Settlement {
        void on(Channel channel) throws IOException;
    }

    private void settle(String what, long tag, Settlement settlement) {
        Channel ch = channel;
        if (ch == null) {
            return;
        }
        try {
            settlement.on(ch);
        } catch (IOException | ShutdownSignalException e) {
            // the channel is gone with its deliveries: the broker delivers them again, as duplicates if stored
            LOG.warnf("Cannot %s run event delivery %d: %s", what, tag, e.toString());
        }
    }

    private void connect(Consumer<Delivery> receiver) {
        ResultsConfig.Ingest.Queue queue = config.queue();
        Duration pause = RETRY_MIN;
        while (!stopped) {
            Connection c = null;
            try {
                c = factory.newConnection("trainyard-results-run-events");
                Channel ch = c.createChannel();
                ch.exchangeDeclare(Topology.EVENTS_EXCHANGE, BuiltinExchangeType.TOPIC, true);
                ch.queueDeclare(queue.name(), queue.durable(), false, queue.autoDelete(),
                        Map.of("x-queue-type", queue.type()));
                ch.queueBind(queue.name(), Topology.EVENTS_EXCHANGE, Topology.ALL_RUN_EVENTS);
                ch.basicQos(config.prefetch());
                ((Recoverable) c).addRecoveryListener(new RecoveryListener() {
                    @Override
                    public void handleRecovery(Recoverable recoverable) {
                        LOG.infof("Consuming run events from %s again", queue.name());
                        consuming = !stopped;
                    }

                    @Override
                    public void handleRecoveryStarted(Recoverable recoverable) {
                        consuming = false;
                        problem = "reconnecting to the broker";
                    }
                });
                c.addShutdownListener(cause -> {
                    if (!cause.isInitiatedByApplication()) {
                        consuming = false;
                        problem = "connection lost: " + cause.getMessage();
                    }
                });
                ch.addShutdownListener(cause -> {
                    // a connection failure is the recovery listener's; a channel error is not recovered
                    if (!cause.isInitiatedByApplication() && !cause.isHardError()) {
                        consuming = false;
                        broken = true;
                        problem = "the broker closed the channel: " + cause.getMessage();
                        LOG.errorf("The broker closed the run-events channel (%s); no more events are stored",
                                cause.getMessage());
                    }
                });
                connection = c;
                channel = ch;
                consumerTag = ch.basicConsume(queue.name(), false, new DefaultConsumer(ch) {
                    @Override
                    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties,
                            byte[] body) {
                        receiver.accept(new Delivery(envelope.getDeliveryTag(), body));
                    }

                    @Override
                    public void handleCancel(String tag) {
                        // the broker cancelled us (the queue was deleted): nothing comes any more
                        consuming = false;
                        broken = true;
                        problem = "the broker cancelled the consumer of " + queue.name();
                        LOG.errorf("The broker cancelled the run-events consumer of %s; no more events are stored",
                                queue.name());
                    }
                });
                consuming = !stopped;
                LOG.infof("Consuming run events from %s (%s, prefetch %d)", queue.name(), queue.type(),
                        config.prefetch());
                return;
            } catch (IOException | TimeoutException | ShutdownSignalException e) {
                problem = e.getClass().getSimpleName() + ": " + e.getMessage();
                LOG.warnf("Cannot consume run events from %s yet (%s); trying again in %s", queue.name(), problem,
                        pause);
                closeQuietly(c);
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException interrupted) {
                    return;
                }
                pause = pause.multipliedBy(2).compareTo(RETRY_MAX) > 0 ? RETRY_MAX : pause.multipliedBy(2);
            }
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.abort(1_000);
            } catch (RuntimeException e) {
                LOG.debugf("Aborting a failed connection: %s", e.toString());
            }
        }
    }
}
