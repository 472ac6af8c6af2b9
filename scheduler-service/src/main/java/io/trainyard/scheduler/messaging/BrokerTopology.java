package io.trainyard.scheduler.messaging;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.trainyard.contracts.Topology;
import io.trainyard.scheduler.config.SchedulerConfig;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Declares the exchanges and queues the scheduler's commands travel through, so that a command published before any
 * trainer of its pool ever started is kept in the pool's queue instead of being dropped as unroutable (publisher
 * confirms do not tell a routed message from a dropped one).
 *
 * <p>Declaration runs on a worker thread at startup and is retried with a growing pause until it succeeds, so the
 * application starts while RabbitMQ is down; the outbox relay publishes only once it {@link #isDeclared() is declared}.
 */
@ApplicationScoped
public class BrokerTopology {

    private static final Logger LOG = Logger.getLogger(BrokerTopology.class);

    private final SchedulerConfig config;
    private final Vertx vertx;
    private final ConnectionFactory factory;
    private final AtomicBoolean declared = new AtomicBoolean();
    private final AtomicBoolean declaring = new AtomicBoolean();
    private volatile boolean stopped;
    private volatile Duration nextPause;
    private volatile String lastError = "not declared yet";

    public BrokerTopology(SchedulerConfig config, Vertx vertx,
            @ConfigProperty(name = "rabbitmq-host", defaultValue = "localhost") String host,
            @ConfigProperty(name = "rabbitmq-port", defaultValue = "5672") int port,
            @ConfigProperty(name = "rabbitmq-username", defaultValue = "guest") String username,
            @ConfigProperty(name = "rabbitmq-password", defaultValue = "guest") String password,
            @ConfigProperty(name = "rabbitmq-virtual-host", defaultValue = "/") String virtualHost) {
        this.config = config;
        this.vertx = vertx;
        this.nextPause = config.broker().retryMin();
        this.factory = new ConnectionFactory();
        factory.setHost(host);
        factory.setPort(port);
        factory.setUsername(username);
        factory.setPassword(password);
        factory.setVirtualHost(virtualHost);
        factory.setConnectionTimeout(Math.toIntExact(config.broker().connectTimeout().toMillis()));
        // One short-lived connection per attempt: recovery would only retry behind our back.
        factory.setAutomaticRecoveryEnabled(false);
    }

    void onStart(@Observes StartupEvent event) {
        redeclare();
    }

    void onStop(@Observes ShutdownEvent event) {
        stopped = true;
    }

    /** True once every exchange, queue and binding exists as declared. */
    public boolean isDeclared() {
        return declared.get();
    }

    /** Why the topology is not declared (the last failure), or null when it is. */
    public String problem() {
        return declared.get() ? null : lastError;
    }

    /**
     * Declares the topology again (off the event loop), for instance after publishing failed and the broker may
     * have been replaced; until it succeeds {@link #isDeclared()} is false. Does nothing if a declaration is
     * already under way.
     */
    public void redeclare() {
        declared.set(false);
        attempt();
    }

    private void attempt() {
        if (stopped || !declaring.compareAndSet(false, true)) {
            return;
        }
        vertx.executeBlocking(() -> {
            declare();
            return true;
        }, false).subscribe().with(ok -> {
            declaring.set(false);
            declared.set(true);
            nextPause = config.broker().retryMin();
            LOG.infof("Broker topology declared: exchange %s, queues %s, dead-letter queue %s",
                    Topology.COMMANDS_EXCHANGE, config.pools().stream().map(Topology::trainerQueue).toList(),
                    Topology.DEAD_QUEUE);
        }, failure -> {
            declaring.set(false);
            lastError = failure.getClass().getSimpleName() + ": " + failure.getMessage();
            Duration pause = nextPause;
            nextPause = min(pause.multipliedBy(2), config.broker().retryMax());
            LOG.warnf("Cannot declare the broker topology (%s); trying again in %s", lastError, pause);
            if (!stopped) {
                vertx.setTimer(Math.max(1, pause.toMillis()), id -> attempt());
            }
        });
    }

    /** The declarations; blocking. RabbitMQ refuses a declaration whose properties differ from the existing ones. */
    void declare() throws Exception {
        try (Connection connection = factory.newConnection("trainyard-scheduler-topology");
                Channel channel = connection.createChannel()) {
            channel.exchangeDeclare(Topology.COMMANDS_EXCHANGE, BuiltinExchangeType.TOPIC, true);
            for (String pool : config.pools()) {
                String queue = Topology.trainerQueue(pool);
                Map<String, Object> arguments = Topology.trainerQueueArguments(pool, config.deliveryLimit());
                channel.queueDeclare(queue, true, false, false, arguments);
                channel.queueBind(queue, Topology.COMMANDS_EXCHANGE, Topology.commandRoutingKey(pool));
            }
            channel.exchangeDeclare(Topology.CONTROL_EXCHANGE, BuiltinExchangeType.FANOUT, true);
            channel.exchangeDeclare(Topology.DEAD_EXCHANGE, BuiltinExchangeType.TOPIC, true);
            channel.queueDeclare(Topology.DEAD_QUEUE, true, false, false, null);
            channel.queueBind(Topology.DEAD_QUEUE, Topology.DEAD_EXCHANGE, "#");
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
