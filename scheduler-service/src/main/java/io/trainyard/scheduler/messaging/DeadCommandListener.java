package io.trainyard.scheduler.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.smallrye.reactive.messaging.rabbitmq.RabbitMQRejectMetadata;
import io.trainyard.contracts.InvalidMessageException;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.TrainRun;
import io.trainyard.scheduler.config.SchedulerConfig;
import io.trainyard.scheduler.service.DeadCommandService;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

/**
 * Follows the dead-letter queue {@code trainyard.dead}, where the trainer queues put commands that reached their
 * delivery limit or that a trainer rejected, and marks their runs FAILED with the broker's reason. Acknowledges each
 * message after its effect is committed; like {@link RunEventListener} it runs on the event loop in a safe context.
 */
@ApplicationScoped
public class DeadCommandListener {

    private static final Logger LOG = Logger.getLogger(DeadCommandListener.class);

    private final DeadCommandService service;
    private final int deliveryLimit;
    private final Duration retryDelay;
    private final MeterRegistry registry;

    public DeadCommandListener(DeadCommandService service, SchedulerConfig config, MeterRegistry registry) {
        this.service = service;
        this.deliveryLimit = config.deliveryLimit();
        this.retryDelay = config.events().retryDelay();
        this.registry = registry;
    }

    @Incoming(Channels.DEAD_COMMANDS)
    public Uni<Void> onDeadCommand(Message<byte[]> message) {
        TrainRun command;
        try {
            command = Messages.decodeCommand(message.getPayload());
        } catch (InvalidMessageException e) {
            // Nothing to fail and nowhere further to send it: the dead-letter queue is the end of the line.
            LOG.warnf("Dropping a dead-lettered message that is no training command: %s", e.getMessage());
            count("invalid");
            return Uni.createFrom().completionStage(message.ack());
        }
        Map<String, Object> headers = message.getMetadata(IncomingRabbitMQMetadata.class)
                .map(IncomingRabbitMQMetadata::getHeaders).orElse(Map.of());
        String reason = DeadLetters.reason(headers, deliveryLimit);
        return service.fail(command, reason)
                .onItem().transformToUni(outcome -> {
                    if (outcome.isEmpty()) {
                        LOG.debugf("Ignoring the dead-lettered command of unknown run %s", command.runId());
                        count("unknown-run");
                    } else {
                        LOG.infof("Run %s of experiment %s: %s (%s)", command.runId(), command.experimentId(),
                                reason, outcome.get());
                        count(outcome.get().name().toLowerCase());
                    }
                    return Uni.createFrom().completionStage(message.ack());
                })
                .onFailure().recoverWithUni(failure -> {
                    LOG.warnf("Cannot fail run %s for its dead-lettered command (%s); returning it to the queue in %s",
                            command.runId(), failure.getMessage(), retryDelay);
                    count("retried");
                    return Uni.createFrom().voidItem().onItem().delayIt().by(retryDelay)
                            .chain(() -> Uni.createFrom().completionStage(
                                    message.nack(failure, Metadata.of(new RabbitMQRejectMetadata(true)))));
                });
    }

    private void count(String outcome) {
        registry.counter("trainyard.scheduler.dead.commands", "outcome", outcome).increment();
    }
}
