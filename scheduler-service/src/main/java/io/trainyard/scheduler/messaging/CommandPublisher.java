package io.trainyard.scheduler.messaging;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.health.HealthReport;
import io.smallrye.reactive.messaging.providers.extension.HealthCenter;
import io.smallrye.reactive.messaging.rabbitmq.OutgoingRabbitMQMetadata;
import io.trainyard.scheduler.OutboxEntity;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * Publishes outbox rows: commands on the {@value Channels#RUN_COMMANDS} channel, cancel signals on
 * {@value Channels#RUN_CONTROL}; persistent JSON, acknowledged on confirm.
 */
@ApplicationScoped
public class CommandPublisher {

    /** Delivery mode of a message the broker writes to disk. */
    static final int PERSISTENT = 2;

    private final MutinyEmitter<byte[]> emitter;
    private final MutinyEmitter<byte[]> control;
    private final HealthCenter health;

    public CommandPublisher(@Channel(Channels.RUN_COMMANDS)
    // A relay batch is sent at once and waits for its confirms; the buffer holds a whole batch and then some.
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096) MutinyEmitter<byte[]> emitter,
            @Channel(Channels.RUN_CONTROL) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
            MutinyEmitter<byte[]> control,
            HealthCenter health) {
        this.emitter = emitter;
        this.control = control;
        this.health = health;
    }

    /**
     * False while the channel's connection to the broker is down. Sending then is worse than waiting: the RabbitMQ
     * connector (SmallRye 4.33 on the Vert.x publisher) re-sends a message that failed for want of a connection once
     * it reconnects, but never completes its confirm, so the relay could only publish it again after a while.
     */
    public boolean isConnected() {
        return health.getReadiness().getChannels().stream()
                .filter(channel -> Channels.RUN_COMMANDS.equals(channel.getChannel())
                        || Channels.RUN_CONTROL.equals(channel.getChannel()))
                .allMatch(HealthReport.ChannelInfo::isOk);
    }

    /** Completes when the broker confirmed the message, fails when it refused it or the channel failed. */
    public Uni<Void> publish(OutboxEntity row) {
        OutgoingRabbitMQMetadata metadata = OutgoingRabbitMQMetadata.builder()
                .withRoutingKey(row.routingKey)
                .withDeliveryMode(PERSISTENT)
                .withContentType("application/json")
                .withMessageId(row.runId.toString())
                .withTimestamp(ZonedDateTime.now(ZoneOffset.UTC))
                .build();
        MutinyEmitter<byte[]> channel = row.kind == OutboxEntity.Kind.CONTROL ? control : emitter;
        return channel.sendMessage(Message.of(row.payload, Metadata.of(metadata)));
    }
}
