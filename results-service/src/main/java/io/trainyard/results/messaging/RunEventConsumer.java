package io.trainyard.results.messaging;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.RabbitMQRejectMetadata;
import io.trainyard.contracts.InvalidMessageException;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.RunEvent;
import io.trainyard.results.config.ResultsConfig;
import io.trainyard.results.metrics.ResultsMetrics;
import io.trainyard.results.service.EventRecorder;
import io.trainyard.results.service.Recording;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

/**
 * Consumes every run event from {@code results.run-events} and records it. Acks only after the event's
 * transaction committed; a message that can never be stored (not an event, or data the database refuses) is
 * logged and rejected without requeue; a transient storage failure is requeued after a pause. The returned Uni
 * never fails, so one bad message cannot stop the consumer.
 */
@ApplicationScoped
public class RunEventConsumer {

    /** Channel bound to the queue {@code results.run-events} in application.properties. */
    public static final String RUN_EVENTS = "run-events";

    private static final Logger LOG = Logger.getLogger(RunEventConsumer.class);

    private final EventRecorder recorder;
    private final ResultsMetrics metrics;
    private final ResultsConfig config;

    public RunEventConsumer(EventRecorder recorder, ResultsMetrics metrics, ResultsConfig config) {
        this.recorder = recorder;
        this.metrics = metrics;
        this.config = config;
    }

    @Incoming(RUN_EVENTS)
    public Uni<Void> consume(Message<byte[]> message) {
        byte[] body = message.getPayload();
        RunEvent event;
        try {
            event = Messages.decodeEvent(body);
        } catch (InvalidMessageException | IllegalArgumentException e) {
            // IllegalArgumentException: what Jackson may still throw past Messages' own checks, e.g. for a null body
            LOG.warnf("Rejecting a message on %s that is not a run event (%d bytes): %s", RUN_EVENTS,
                    body == null ? 0 : body.length, e.getMessage());
            metrics.rejected();
            return reject(message, e, false);
        }
        String json = new String(body, StandardCharsets.UTF_8);
        return Uni.createFrom().deferred(() -> recorder.record(event, json))
                .onItemOrFailure().transformToUni((recording, failure) -> failure == null
                        ? stored(message, event, recording)
                        : storageFailed(message, event, failure));
    }

    private Uni<Void> stored(Message<byte[]> message, RunEvent event, Recording recording) {
        metrics.recorded(event, recording);
        log(event, recording);
        return Uni.createFrom().completionStage(message::ack)
                // the event is committed: if the ack is lost the broker redelivers it and it counts as a duplicate
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("Cannot ack %s of run %s: %s", event.routingKey(), event.run().runId(),
                            failure.toString());
                    return null;
                });
    }

    private Uni<Void> storageFailed(Message<byte[]> message, RunEvent event, Throwable failure) {
        if (StorageFailures.isPermanent(failure)) {
            LOG.errorf(failure, "Rejecting %s of run %s (attempt %d): the database refuses it",
                    event.routingKey(), event.run().runId(), event.run().attempt());
            metrics.rejected();
            return reject(message, failure, false);
        }
        LOG.warnf("Cannot store %s of run %s yet, requeueing it in %s: %s", event.routingKey(),
                event.run().runId(), config.retryDelay(), failure.toString());
        // the pause holds this channel's stream, which is the back-pressure we want while the database is down
        return Uni.createFrom().voidItem()
                .onItem().delayIt().by(config.retryDelay())
                .flatMap(v -> reject(message, failure, true));
    }

    private static Uni<Void> reject(Message<byte[]> message, Throwable reason, boolean requeue) {
        return Uni.createFrom()
                .completionStage(() -> message.nack(reason, Metadata.of(new RabbitMQRejectMetadata(requeue))))
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("Cannot reject a message on %s: %s", RUN_EVENTS, failure.toString());
                    return null;
                });
    }

    private static void log(RunEvent event, Recording recording) {
        switch (recording) {
            case RESULT_RECORDED -> LOG.infof("Result of run %s (experiment %s) recorded", event.run().runId(),
                    event.run().experimentId());
            case RESULT_ALREADY_KNOWN -> LOG.infof("Run %s completed again (attempt %d); its first result stands",
                    event.run().runId(), event.run().attempt());
            case DUPLICATE -> LOG.debugf("Duplicate %s of run %s ignored", event.routingKey(), event.run().runId());
            case RECORDED -> LOG.debugf("%s of run %s recorded", event.routingKey(), event.run().runId());
        }
    }
}
