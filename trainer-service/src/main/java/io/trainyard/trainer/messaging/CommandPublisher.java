package io.trainyard.trainer.messaging;

import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.rabbitmq.OutgoingRabbitMQMetadata;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.Topology;
import io.trainyard.contracts.TrainRun;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

/**
 * Hands a run back to its pool's queue as a fresh command: after a segment's time budget, on a drain, or for a
 * delivery that arrives while the trainer drains.
 *
 * <p>A fresh message starts with a delivery count of 0, so handing back never counts against the queue's delivery
 * limit (returning the delivery unacked would). The continuation carries the attempt that published it as
 * {@code previousAttempts}, so the next attempt's number is higher and its events are never taken for stale.
 */
@ApplicationScoped
public class CommandPublisher {

    public static final String CHANNEL = "run-continuations";

    private final MutinyEmitter<byte[]> emitter;

    public CommandPublisher(@Channel(CHANNEL) MutinyEmitter<byte[]> emitter) {
        this.emitter = emitter;
    }

    /** Publishes the continuation of {@code command} after {@code attempt} and waits for the broker's confirm. */
    public void handBack(TrainRun command, int attempt, Duration timeout) {
        TrainRun continuation = command.continuation(attempt, Instant.now());
        OutgoingRabbitMQMetadata metadata = OutgoingRabbitMQMetadata.builder()
                .withRoutingKey(Topology.commandRoutingKey(command.pool()))
                .withDeliveryMode(2)
                .withContentType("application/json")
                .build();
        emitter.sendMessage(Message.of(Messages.encode(continuation), Metadata.of(metadata)))
                .await().atMost(timeout);
    }
}
