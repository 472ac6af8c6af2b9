package io.trainyard.scheduler.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.RabbitMQRejectMetadata;
import io.trainyard.contracts.InvalidMessageException;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.RunEvent;
import io.trainyard.scheduler.config.SchedulerConfig;
import io.trainyard.scheduler.service.RunEventService;
import io.trainyard.scheduler.service.RunEvents;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

/**
 * Follows every run event ({@code scheduler.run-events}) and acknowledges each one after its effect is committed.
 *
 * <p>The method returns a {@code Uni}, so Quarkus dispatches each message on the event loop in a safe duplicated
 * context, which is where Hibernate Reactive must run; the transaction is in {@link RunEventService}.
 */
@ApplicationScoped
public class RunEventListener {

    private static final Logger LOG = Logger.getLogger(RunEventListener.class);

    private final RunEventService service;
    private final Duration retryDelay;
    private final MeterRegistry registry;

    public RunEventListener(RunEventService service, SchedulerConfig config, MeterRegistry registry) {
        this.service = service;
        this.retryDelay = config.events().retryDelay();
        this.registry = registry;
    }

    @Incoming(Channels.RUN_EVENTS)
    public Uni<Void> onEvent(Message<byte[]> message) {
        RunEvent event;
        try {
            event = Messages.decodeEvent(message.getPayload());
        } catch (InvalidMessageException e) {
            // Redelivering it cannot help: drop it (the queue has no dead-letter exchange) and say why.
            LOG.warnf("Rejecting a run event that cannot be decoded: %s", e.getMessage());
            count("invalid");
            return Uni.createFrom().completionStage(message.nack(e, Metadata.of(new RabbitMQRejectMetadata(false))));
        }
        return service.apply(event)
                .onItem().transformToUni(outcome -> {
                    log(event, outcome);
                    return Uni.createFrom().completionStage(message.ack());
                })
                .onFailure().recoverWithUni(failure -> {
                    // Most likely the database is unreachable: give the event back after a pause, so it is applied
                    // once the database answers again, without spinning on it meanwhile.
                    LOG.warnf("Cannot apply %s of run %s (%s); returning it to the queue in %s", event.routingKey(),
                            event.run().runId(), failure.getMessage(), retryDelay);
                    count("retried");
                    return Uni.createFrom().voidItem().onItem().delayIt().by(retryDelay)
                            .chain(() -> Uni.createFrom().completionStage(
                                    message.nack(failure, Metadata.of(new RabbitMQRejectMetadata(true)))));
                });
    }

    private void log(RunEvent event, Optional<RunEvents.Outcome> outcome) {
        if (outcome.isEmpty()) {
            LOG.debugf("Ignoring %s of unknown run %s", event.routingKey(), event.run().runId());
            count("unknown-run");
            return;
        }
        LOG.debugf("%s of run %s (attempt %d, sequence %d): %s", event.routingKey(), event.run().runId(),
                event.run().attempt(), event.run().sequence(), outcome.get());
        count(outcome.get().name().toLowerCase().replace('_', '-'));
    }

    private void count(String outcome) {
        registry.counter("trainyard.scheduler.run.events", "outcome", outcome).increment();
    }
}
