package io.trainyard.trainer.messaging;

import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.smallrye.reactive.messaging.rabbitmq.RabbitMQRejectMetadata;
import io.trainyard.contracts.InvalidMessageException;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.TrainRun;
import io.trainyard.trainer.config.TrainerConfig;
import io.trainyard.trainer.service.RunProcessor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

/**
 * Consumes the pool's command queue: each delivery is a lease on one run, held (unacked) while it trains.
 *
 * <p>Training runs on this listener's own threads, one per run trained at once, never on the event loop. The
 * delivery is acked when the run has finished (or failed for good), dead-lettered when the command cannot be
 * read, and returned to the queue after a backoff when something transient went wrong.
 *
 * <p>On SIGTERM ({@code kubectl scale} down, eviction, {@code bin/trainyard scale}) the trainer drains before the
 * broker connection closes: the runs in training stop at a batch boundary, checkpoint and are handed back as fresh
 * commands, then their deliveries are acked; a delivery that arrives meanwhile is handed back untouched (as a fresh
 * message, so it does not count against the delivery limit). Nothing is lost. After {@code drain-timeout} the process exits anyway and the broker returns what is still unacked.
 *
 * <p>Known gap: the connector cannot cancel its consumer, so after the last ack the broker may push one more
 * delivery that is still unacked when the connection closes; that command returns with its delivery count raised
 * by one. Cancelling the consumer (basic.cancel) at the start of a drain would close this.
 */
@ApplicationScoped
public class CommandListener {

    public static final String CHANNEL = "run-commands";
    private static final Logger LOG = Logger.getLogger(CommandListener.class);

    private final RunProcessor processor;
    private final CommandPublisher commands;
    private final TrainerConfig config;
    private final ExecutorService workers;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Counter deadLetters;
    private final Counter redelivered;

    public CommandListener(RunProcessor processor, CommandPublisher commands, TrainerConfig config,
            MeterRegistry registry) {
        this.processor = processor;
        this.commands = commands;
        this.config = config;
        this.deadLetters = Counter.builder("trainyard.trainer.dead.letters")
                .description("Commands dead-lettered because they cannot be read").register(registry);
        this.redelivered = Counter.builder("trainyard.trainer.redeliveries")
                .description("Deliveries of a command the broker had delivered before").register(registry);
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(config.concurrency(),
                r -> new Thread(r, "trainer-run-" + n.incrementAndGet()));
    }

    @Incoming(CHANNEL)
    public CompletionStage<Void> onCommand(Message<byte[]> message) {
        long redeliveries = redeliveries(message);
        if (redeliveries > 0) {
            redelivered.increment();
        }
        inFlight.incrementAndGet();
        return CompletableFuture.supplyAsync(() -> handle(message.getPayload(), redeliveries), workers)
                .thenCompose(failure -> switch (failure) {
                    case null -> message.ack();
                    case InvalidMessageException invalid -> message.nack(invalid,
                            Metadata.of(new RabbitMQRejectMetadata(false)));
                    default -> message.nack(failure, Metadata.of(new RabbitMQRejectMetadata(true)));
                })
                .whenComplete((ok, error) -> inFlight.decrementAndGet());
    }

    /** Runs before the connectors close (they close when the application context is destroyed, after this). */
    void drain(@Observes ShutdownEvent event) {
        draining.set(true);
        long deadline = System.nanoTime() + config.drainTimeout().toNanos();
        LOG.infof("draining: %d deliveries in hand", inFlight.get());
        while (inFlight.get() > 0 && System.nanoTime() - deadline < 0) {
            sleep(Duration.ofMillis(50));
        }
        if (inFlight.get() > 0) {
            LOG.warnf("drain timed out with %d deliveries in hand: the broker will return them", inFlight.get());
        } else {
            LOG.info("drained");
        }
    }

    /** Returns null when the delivery is done with, else why it is not. */
    private Throwable handle(byte[] body, long redeliveries) {
        TrainRun command;
        try {
            command = Messages.decodeCommand(body);
        } catch (InvalidMessageException e) {
            LOG.errorf("dead-lettering a command that cannot be read: %s", e.getMessage());
            deadLetters.increment();
            return e;
        }
        int attempt = command.attemptFor(redeliveries);
        try {
            if (draining.get()) {
                commands.handBack(command, attempt, config.confirmTimeout());
                LOG.infof("run %s handed back untouched: draining", command.runId());
                return null;
            }
            processor.process(command, attempt, draining::get);
            return null;
        } catch (RuntimeException e) {
            Duration wait = backoff(redeliveries);
            LOG.warnf(e, "run %s attempt %d failed; returning it to the queue in %s", command.runId(), attempt, wait);
            sleep(wait);
            return e;
        }
    }

    /** The quorum queue counts returns of a message in {@code x-delivery-count} (absent on the first delivery). */
    private static long redeliveries(Message<?> message) {
        return message.getMetadata(IncomingRabbitMQMetadata.class)
                .map(m -> m.getHeaders().get("x-delivery-count"))
                .filter(Number.class::isInstance)
                .map(n -> ((Number) n).longValue())
                .orElse(0L);
    }

    private Duration backoff(long redeliveries) {
        Duration wait = config.retryBackoff().multipliedBy(1L << Math.min(redeliveries, 16));
        return wait.compareTo(config.retryBackoffMax()) > 0 ? config.retryBackoffMax() : wait;
    }

    private static void sleep(Duration wait) {
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @PreDestroy
    void stop() {
        workers.shutdownNow();
    }
}
