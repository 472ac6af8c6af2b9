package io.trainyard.results.messaging;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.RunEvent;
import io.trainyard.results.config.ResultsConfig;
import io.trainyard.results.messaging.RunEventQueue.Delivery;
import io.trainyard.results.metrics.ResultsMetrics;
import io.trainyard.results.service.EventRecorder;
import io.trainyard.results.service.EventRecorder.Received;
import io.trainyard.results.service.LiveEvents;
import io.trainyard.results.service.Recording;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Consumes every run event from {@code results.run-events} ({@link RunEventQueue}) and records it. Messages are
 * stored in batches, one transaction each, and acked only after their transaction committed. A batch is what arrived
 * while the one before it was being stored (up to {@code trainyard.results.ingest.batch-size}): a lone event is
 * stored at once, and under load batches grow until the database keeps up. A message that can never be stored (not
 * an event, or data the database refuses) is logged and rejected without requeue; a transient storage failure
 * requeues the batch after a pause. One bad message cannot stop the consumer.
 *
 * <p>Messages are decoded as they arrive, on the client's delivery thread, while the batch before them is stored;
 * batches are stored one at a time, in order, on a thread of their own. Every delivery is settled (acked, rejected
 * or requeued) before any later one, so one ack with {@code multiple} set settles exactly a committed batch.
 */
@ApplicationScoped
public class RunEventConsumer {

    private static final Logger LOG = Logger.getLogger(RunEventConsumer.class);
    private static final Duration IDLE_CHECK = Duration.ofMillis(250);
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(20);

    /** A delivery as decoded: the event, or why it is not one; and whether it is settled. */
    private static final class Arrival {

        final Delivery delivery;
        final Received received;
        final RuntimeException invalid;
        boolean settled;

        Arrival(Delivery delivery, Received received, RuntimeException invalid) {
            this.delivery = delivery;
            this.received = received;
            this.invalid = invalid;
        }

        long tag() {
            return delivery.tag();
        }

        RunEvent event() {
            return received.event();
        }
    }

    private final RunEventQueue queue;
    private final EventRecorder recorder;
    private final ResultsMetrics metrics;
    private final ResultsConfig config;
    private final LiveEvents live;
    // bounded in practice by the prefetch: nothing is acked before it is stored
    private final BlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();
    private volatile boolean running;
    private Thread batches;

    public RunEventConsumer(RunEventQueue queue, EventRecorder recorder, ResultsMetrics metrics,
            ResultsConfig config, LiveEvents live) {
        this.queue = queue;
        this.recorder = recorder;
        this.metrics = metrics;
        this.config = config;
        this.live = live;
    }

    void onStart(@Observes StartupEvent event) {
        running = true;
        batches = Thread.ofPlatform().name("run-events-batches").start(this::storeBatches);
        queue.start(this::arrived);
    }

    /** Stops taking events, lets the batch being stored finish, then closes the connection (the rest is requeued). */
    void onStop(@Observes ShutdownEvent event) {
        queue.stopConsuming();
        running = false;
        try {
            if (batches != null && !batches.join(SHUTDOWN_WAIT)) {
                LOG.warnf("The batch being stored did not finish within %s; its events come again", SHUTDOWN_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queue.close();
    }

    /** True while batches are being taken and stored. */
    public boolean isRunning() {
        return running && batches != null && batches.isAlive();
    }

    private void arrived(Delivery delivery) {
        arrivals.add(decode(delivery));
    }

    private static Arrival decode(Delivery delivery) {
        byte[] body = delivery.body();
        try {
            RunEvent event = Messages.decodeEvent(body);
            return new Arrival(delivery, new Received(event, body, new String(body, StandardCharsets.UTF_8)), null);
        } catch (RuntimeException e) {
            // InvalidMessageException, or what Jackson may still throw past Messages' own checks: not an event
            return new Arrival(delivery, null, e);
        }
    }

    private void storeBatches() {
        int batchSize = config.ingest().batchSize();
        List<Arrival> batch = new ArrayList<>(batchSize);
        while (running) {
            try {
                Arrival first = arrivals.poll(IDLE_CHECK.toMillis(), TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                arrivals.drainTo(batch, batchSize - 1);
                handle(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // a bug, not the data: settle the batch so that a later multiple ack cannot take it for stored
                LOG.errorf(e, "Unexpected failure while handling a batch of run events; requeueing it");
                requeue(batch);
            } finally {
                batch.clear();
            }
        }
    }

    private void handle(List<Arrival> batch) throws InterruptedException {
        List<Arrival> events = new ArrayList<>(batch.size());
        for (Arrival arrival : batch) {
            if (arrival.invalid == null) {
                events.add(arrival);
                continue;
            }
            byte[] body = arrival.delivery.body();
            LOG.warnf("Rejecting a message on %s that is not a run event (%d bytes): %s",
                    config.ingest().queue().name(), body == null ? 0 : body.length, arrival.invalid.getMessage());
            metrics.rejected();
            reject(arrival);
        }
        if (!events.isEmpty()) {
            store(events);
        }
    }

    /** Stores the events in one transaction and settles their deliveries. */
    private void store(List<Arrival> events) throws InterruptedException {
        long started = System.nanoTime();
        List<Recording> recordings;
        try {
            recordings = recorder.record(events.stream().map(a -> a.received).toList()).await().indefinitely();
        } catch (RuntimeException failure) {
            storageFailed(events, failure);
            return;
        }
        metrics.batchStored(events.size(), System.nanoTime() - started);
        for (int i = 0; i < events.size(); i++) {
            Arrival arrival = events.get(i);
            Recording recording = recordings.get(i);
            metrics.recorded(arrival.event(), recording);
            log(arrival.event(), recording);
            if (!recording.isDuplicate()) {
                // committed by now: a live subscriber never sees an event the database does not have
                live.stored(arrival.event(), arrival.received.json());
            }
        }
        // committed: if the ack is lost, the broker delivers them again and they count as duplicates
        ack(events);
    }

    private void storageFailed(List<Arrival> events, RuntimeException failure) throws InterruptedException {
        if (StorageFailures.isPermanent(failure)) {
            if (events.size() > 1) {
                // one event spoils its batch: store them one by one so only that one is rejected
                for (Arrival arrival : events) {
                    store(List.of(arrival));
                }
                return;
            }
            Arrival arrival = events.getFirst();
            LOG.errorf(failure, "Rejecting %s of run %s (attempt %d): the database refuses it",
                    arrival.event().routingKey(), arrival.event().run().runId(), arrival.event().run().attempt());
            metrics.rejected();
            reject(arrival);
            return;
        }
        LOG.warnf("Cannot store %d run events yet, requeueing them in %s: %s", events.size(), config.retryDelay(),
                failure.toString());
        try {
            // the pause holds the batches, which is the back-pressure we want while the database is down
            Thread.sleep(config.retryDelay());
        } finally {
            requeue(events);
        }
    }

    /*
     * Settling. Deliveries come in tag order and are settled in that order, each once: the unsettled ones of a batch
     * are always its last ones, and everything before the batch is settled. One ack or nack with multiple set up to
     * the last of them settles exactly those. A tag is never settled twice, since the broker closes the channel for a
     * tag it does not know.
     */

    /** Acks the events, none of them settled yet. */
    private void ack(List<Arrival> events) {
        queue.ackUpTo(events.getLast().tag());
        events.forEach(a -> a.settled = true);
    }

    private void reject(Arrival arrival) {
        queue.reject(arrival.tag());
        arrival.settled = true;
    }

    /** Puts those of the arrivals that are not settled back on the queue. */
    private void requeue(List<Arrival> arrivals) {
        Arrival last = null;
        for (Arrival a : arrivals) {
            if (!a.settled) {
                last = a;
                a.settled = true;
            }
        }
        if (last != null) {
            queue.requeueUpTo(last.tag());
        }
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
