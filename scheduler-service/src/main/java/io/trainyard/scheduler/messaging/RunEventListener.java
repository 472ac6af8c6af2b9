package io.trainyard.scheduler.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.RabbitMQRejectMetadata;
import io.trainyard.contracts.InvalidMessageException;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.RunEvent;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

/**
 * Follows every run event ({@code scheduler.run-events}): decodes it and hands it to the {@link RunEventBatcher},
 * which applies events in batches and acknowledges each one after its batch committed.
 *
 * <p>The returned {@code Uni} completes as soon as the event is handed over, so the connector delivers the next
 * message while earlier ones are still being applied: that is what lets batches form (the connector itself has no
 * batch consumption). The acknowledgement is manual and the prefetch ({@code max-outstanding-messages}) bounds the
 * messages waiting unacknowledged.
 */
@ApplicationScoped
public class RunEventListener {

    private static final Logger LOG = Logger.getLogger(RunEventListener.class);

    private final RunEventBatcher batcher;
    private final MeterRegistry registry;

    public RunEventListener(RunEventBatcher batcher, MeterRegistry registry) {
        this.batcher = batcher;
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
            registry.counter("trainyard.scheduler.run.events", "outcome", "invalid").increment();
            return Uni.createFrom().completionStage(message.nack(e, Metadata.of(new RabbitMQRejectMetadata(false))));
        }
        batcher.submit(event, message);
        return Uni.createFrom().voidItem();
    }
}
