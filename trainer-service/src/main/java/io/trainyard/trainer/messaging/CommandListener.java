package io.trainyard.trainer.messaging;

import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.smallrye.reactive.messaging.rabbitmq.RabbitMQRejectMetadata;
import io.trainyard.contracts.InvalidMessageException;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.TrainRun;
import io.trainyard.trainer.config.TrainerConfig;
import io.trainyard.trainer.service.RunProcessor;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 */
@ApplicationScoped
public class CommandListener {

    public static final String CHANNEL = "run-commands";
    private static final Logger LOG = Logger.getLogger(CommandListener.class);

    private final RunProcessor processor;
    private final TrainerConfig config;
    private final ExecutorService workers;

    public CommandListener(RunProcessor processor, TrainerConfig config) {
        this.processor = processor;
        this.config = config;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(config.concurrency(),
                r -> new Thread(r, "trainer-run-" + n.incrementAndGet()));
    }

    @Incoming(CHANNEL)
    public CompletionStage<Void> onCommand(Message<byte[]> message) {
        long redeliveries = redeliveries(message);
        return CompletableFuture.supplyAsync(() -> handle(message.getPayload(), redeliveries), workers)
                .thenCompose(failure -> switch (failure) {
                    case null -> message.ack();
                    case InvalidMessageException invalid -> message.nack(invalid,
                            Metadata.of(new RabbitMQRejectMetadata(false)));
                    default -> message.nack(failure, Metadata.of(new RabbitMQRejectMetadata(true)));
                });
    }

    /** Returns null when the delivery is done with, else why it is not. */
    private Throwable handle(byte[] body, long redeliveries) {
        TrainRun command;
        try {
            command = Messages.decodeCommand(body);
        } catch (InvalidMessageException e) {
            LOG.errorf("dead-lettering a command that cannot be read: %s", e.getMessage());
            return e;
        }
        int attempt = command.attemptFor(redeliveries);
        try {
            processor.process(command, attempt);
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
