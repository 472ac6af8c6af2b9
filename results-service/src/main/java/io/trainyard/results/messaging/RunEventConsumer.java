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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
 * <p>Messages are decoded as they arrive, on the client's delivery thread, while the batches before them are stored;
 * batches are taken in order on a thread of their own and stored up to {@code trainyard.results.ingest.pipeline} at
 * once, then finished in the order they were taken. Every event is acked, or requeued, only after every earlier
 * delivery was settled, so one ack with {@code multiple} set settles exactly a committed batch (a message that is
 * not an event is rejected on its own, by its tag, as soon as its batch is taken).
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
        if (config.ingest().pipeline() < 1) {
            throw new IllegalArgumentException("trainyard.results.ingest.pipeline is " + config.ingest().pipeline()
                    + ": it must be at least 1 (batches stored at once)");
        }
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

    /**
     * Takes batches and stores them, up to {@code pipeline} at once: while one commits, the next is written. They
     * are finished (settled) strictly in the order they were taken, so acks still go in delivery order.
     *
     * <p>Two transactions at once are safe here: the inserts are idempotent by key (a key the batch before is
     * inserting makes this one wait for its commit, then counts as a duplicate), the status upsert moves a run only
     * forward whatever the order its changes commit in, and rows are locked in sorted order, so two batches never
     * wait for each other crosswise.
     */
    private void storeBatches() {
        int batchSize = config.ingest().batchSize();
        int pipeline = config.ingest().pipeline();
        Deque<Pending> pending = new ArrayDeque<>(pipeline);
        while (running || !pending.isEmpty()) {
            List<Arrival> batch = new ArrayList<>(batchSize);
            Pending finishing = null;
            try {
                // Wait for events only when nothing is being stored; else take what is there and move on.
                Arrival first = !running ? null
                        : pending.isEmpty() ? arrivals.poll(IDLE_CHECK.toMillis(), TimeUnit.MILLISECONDS)
                        : arrivals.poll();
                if (first != null) {
                    batch.add(first);
                    arrivals.drainTo(batch, batchSize - 1);
                    pending.add(start(batch));
                }
                if (!pending.isEmpty() && (first == null || pending.size() >= pipeline)) {
                    finishing = pending.poll();
                    finish(finishing);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // a bug, not the data: settle what is unsettled so that a later multiple ack cannot take it for
                // stored. Everything still pending is requeued with it: its order with the rest is lost otherwise.
                LOG.errorf(e, "Unexpected failure while handling a batch of run events; requeueing it");
                if (finishing != null) {
                    requeue(finishing.batch());
                }
                for (Pending p : pending) {
                    requeue(p.batch());
                }
                pending.clear();
                requeue(batch);
            }
        }
    }

    /** A batch taken: its invalid messages rejected, its events on their way to the database (null: none). */
    private record Pending(List<Arrival> batch, List<Arrival> events, long started,
            CompletableFuture<List<Recording>> stored) {
    }

    private Pending start(List<Arrival> batch) {
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
        CompletableFuture<List<Recording>> stored = events.isEmpty() ? null
                : recorder.record(events.stream().map(a -> a.received).toList()).subscribeAsCompletionStage();
        return new Pending(batch, events, System.nanoTime(), stored);
    }

    private void finish(Pending pending) throws InterruptedException {
        if (pending.stored() == null) {
            return;
        }
        List<Recording> recordings;
        try {
            recordings = pending.stored().join();
        } catch (CompletionException | CancellationException e) {
            RuntimeException failure = e.getCause() instanceof RuntimeException r ? r : e;
            storageFailed(pending.events(), failure);
            return;
        }
        stored(pending.events(), recordings, pending.started());
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
        stored(events, recordings, started);
    }

    /** The events' transaction committed: count, log, tell live subscribers, then ack. */
    private void stored(List<Arrival> events, List<Recording> recordings, long started) {
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
        metrics.requeued(events.size());
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
