package io.trainyard.trainer.messaging;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.rabbitmq.OutgoingRabbitMQMetadata;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.RunEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

/** Publishes run events to {@code trainyard.events}, persistent, with publisher confirms. */
@ApplicationScoped
public class RunEventPublisher {

    public static final String CHANNEL = "run-events";
    private static final Logger LOG = Logger.getLogger(RunEventPublisher.class);

    private final MutinyEmitter<byte[]> emitter;

    public RunEventPublisher(@Channel(CHANNEL) MutinyEmitter<byte[]> emitter) {
        this.emitter = emitter;
    }

    /** Sends without waiting: progress must not slow the training thread. A lost one is superseded by the next. */
    public void publish(RunEvent event) {
        send(event).subscribe().with(ok -> {
        }, failure -> LOG.warnf("event %s of run %s not confirmed: %s", event.routingKey(), event.run().runId(),
                failure.getMessage()));
    }

    /** Sends and waits for the broker's confirm: for events that must be out before the command is acked. */
    public void publishAndAwait(RunEvent event, Duration timeout) {
        send(event).await().atMost(timeout);
    }

    private Uni<Void> send(RunEvent event) {
        OutgoingRabbitMQMetadata metadata = OutgoingRabbitMQMetadata.builder()
                .withRoutingKey(event.routingKey())
                .withDeliveryMode(2)
                .withContentType("application/json")
                .build();
        return emitter.sendMessage(Message.of(Messages.encode(event), Metadata.of(metadata)));
    }
}
