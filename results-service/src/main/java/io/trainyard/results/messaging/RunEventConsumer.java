package io.trainyard.results.messaging;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.smallrye.reactive.messaging.rabbitmq.RabbitMQRejectMetadata;
import io.trainyard.contracts.InvalidMessageException;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.RunEvent;
import io.trainyard.results.config.ResultsConfig;
import io.trainyard.results.metrics.ResultsMetrics;
import io.trainyard.results.service.EventRecorder;
import io.trainyard.results.service.EventRecorder.Received;
import io.trainyard.results.service.LiveEvents;
import io.trainyard.results.service.Recording;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

/**
 * Consumes every run event from {@code results.run-events} and records it. Messages are stored in small batches,
 * one transaction each (up to {@code trainyard.results.ingest.batch-size} messages, or what arrived within
 * {@code batch-window}), and acked only after their transaction committed. A message that can never be stored
 * (not an event, or data the database refuses) is logged and rejected without requeue; a transient storage failure
 * requeues the batch after a pause. Batches are handled one at a time, in order, and a failure never ends the
 * stream, so one bad message cannot stop the consumer.
 */
@ApplicationScoped
public class RunEventConsumer {

    /** Channel bound to the queue {@code results.run-events} in application.properties. */
    public static final String RUN_EVENTS = "run-events";

    private static final Logger LOG = Logger.getLogger(RunEventConsumer.class);

    /** A decoded message. */
    private record Decoded(Message<byte[]> message, Received received) {

        RunEvent event() {
            return received.event();
        }
    }

    private final EventRecorder recorder;
    private final ResultsMetrics metrics;
    private final ResultsConfig config;
    private final LiveEvents live;

    public RunEventConsumer(EventRecorder recorder, ResultsMetrics metrics, ResultsConfig config,
            LiveEvents live) {
        this.recorder = recorder;
        this.metrics = metrics;
        this.config = config;
        this.live = live;
    }

    /*
     * The channel's messages in, batches out. The broker's prefetch (max-outstanding-messages) bounds what is
     * buffered here, since nothing is acked before it is stored.
     */
    @Incoming(RUN_EVENTS)
    public Flow.Subscriber<Message<byte[]>> consume() {
        UnicastProcessor<Message<byte[]>> messages = UnicastProcessor.create();
        messages.group().intoLists().of(config.ingest().batchSize(), config.ingest().batchWindow())
                .onOverflow().buffer(Math.max(16, config.ingest().prefetch()))
                .onItem().transformToUniAndConcatenate(this::consumeBatch)
                .subscribe().with(
                        done -> { },
                        failure -> LOG.errorf(failure, "The run-events stream ended; no more events are stored"));
        return messages;
    }

    private Uni<Void> consumeBatch(List<Message<byte[]>> messages) {
        List<Decoded> decoded = new ArrayList<>(messages.size());
        List<Uni<Void>> rejections = new ArrayList<>();
        for (Message<byte[]> message : messages) {
            byte[] body = message.getPayload();
            try {
                RunEvent event = Messages.decodeEvent(body);
                decoded.add(new Decoded(message, new Received(event, new String(body, StandardCharsets.UTF_8))));
            } catch (InvalidMessageException | IllegalArgumentException e) {
                // IllegalArgumentException: what Jackson may still throw past Messages' own checks, e.g. for a null body
                LOG.warnf("Rejecting a message on %s that is not a run event (%d bytes): %s", RUN_EVENTS,
                        body == null ? 0 : body.length, e.getMessage());
                metrics.rejected();
                rejections.add(reject(message, e, false));
            }
        }
        Uni<Void> rejected = rejections.isEmpty() ? Uni.createFrom().voidItem()
                : Uni.join().all(rejections).andCollectFailures().replaceWithVoid();
        return rejected.flatMap(v -> decoded.isEmpty() ? Uni.createFrom().voidItem() : store(decoded))
                .onFailure().recoverWithItem(failure -> {
                    LOG.errorf(failure, "Unexpected failure while handling a batch of run events");
                    return null;
                });
    }

    private Uni<Void> store(List<Decoded> batch) {
        long started = System.nanoTime();
        return Uni.createFrom().deferred(() -> recorder.record(batch.stream().map(Decoded::received).toList()))
                .onItemOrFailure().transformToUni((recordings, failure) -> {
                    if (failure == null) {
                        metrics.batchStored(batch.size(), System.nanoTime() - started);
                        return stored(batch, recordings);
                    }
                    if (batch.size() > 1 && StorageFailures.isPermanent(failure)) {
                        // one event spoils its batch: store them one by one so only that one is rejected
                        return Multi.createFrom().iterable(batch)
                                .onItem().transformToUniAndConcatenate(d -> store(List.of(d)))
                                .collect().last().replaceWithVoid();
                    }
                    return storageFailed(batch, failure);
                });
    }

    private Uni<Void> stored(List<Decoded> batch, List<Recording> recordings) {
        List<Uni<Void>> acks = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Decoded d = batch.get(i);
            Recording recording = recordings.get(i);
            metrics.recorded(d.event(), recording);
            log(d.event(), recording);
            if (!recording.isDuplicate()) {
                // committed by now: a live subscriber never sees an event the database does not have
                live.stored(d.event(), d.received().json());
            }
            acks.add(Uni.createFrom().completionStage(d.message()::ack)
                    // the event is committed: if the ack is lost the broker redelivers it and it counts as a duplicate
                    .onFailure().recoverWithItem(failure -> {
                        LOG.warnf("Cannot ack %s of run %s: %s", d.event().routingKey(), d.event().run().runId(),
                                failure.toString());
                        return null;
                    }));
        }
        return Uni.join().all(acks).andCollectFailures().replaceWithVoid();
    }

    private Uni<Void> storageFailed(List<Decoded> batch, Throwable failure) {
        if (StorageFailures.isPermanent(failure)) {
            Decoded d = batch.get(0);
            LOG.errorf(failure, "Rejecting %s of run %s (attempt %d): the database refuses it",
                    d.event().routingKey(), d.event().run().runId(), d.event().run().attempt());
            metrics.rejected();
            return reject(d.message(), failure, false);
        }
        LOG.warnf("Cannot store %d run events yet, requeueing them in %s: %s", batch.size(), config.retryDelay(),
                failure.toString());
        // the pause holds the stream, which is the back-pressure we want while the database is down
        return Uni.createFrom().voidItem()
                .onItem().delayIt().by(config.retryDelay())
                .flatMap(v -> Uni.join().all(batch.stream().map(d -> reject(d.message(), failure, true)).toList())
                        .andCollectFailures().replaceWithVoid());
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
