package io.trainyard.scheduler.messaging;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.RabbitMQRejectMetadata;
import io.trainyard.contracts.RunEvent;
import io.trainyard.scheduler.config.SchedulerConfig;
import io.trainyard.scheduler.service.RunEventService;
import io.trainyard.scheduler.service.RunEvents;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.DatabaseException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

/**
 * Group commit of run events: applies whatever events have queued up as one transaction ({@link RunEventService}),
 * one batch at a time, in the order they arrived, and settles each event's message once its batch is done: acked
 * after the commit, or given back to the queue (after {@code trainyard.scheduler.events.retry-delay}) when the batch
 * failed. No message is acked whose effect was not committed. A lone event is applied at once; under load, batches
 * grow (up to {@code trainyard.scheduler.events.batch-size}) to what arrived while the previous one was applied.
 *
 * <p>Hand-built because SmallRye's RabbitMQ connector has no batch consumption (only its Kafka connector has
 * {@code batch=true}): the listener hands each decoded event over and returns at once, so the connector delivers the
 * next message while earlier ones are still uncommitted; {@code max-outstanding-messages} (the prefetch) bounds how
 * many wait here. One transaction per event spent about 5 ms of event-loop CPU on each.
 *
 * <p>Batches run on a new safe duplicated Vert.x context each, like the outbox relay's passes ({@link SafeContexts}):
 * the reactive SQL client and anything reactive after it keep to that context's event loop.
 */
@ApplicationScoped
public class RunEventBatcher {

    private static final Logger LOG = Logger.getLogger(RunEventBatcher.class);

    /*
     * PostgreSQL SQLSTATE classes that come from the data, not the database's health: 22 data exception (a
     * trainer name longer than the column, a NUL character in a reason), 23 integrity constraint violation. Applying
     * the same batch again would fail again, so its events are applied one by one: only the bad one keeps failing.
     */
    private static final Set<String> DATA_FAILURES = Set.of("22", "23");

    /** An event and the message it came in, not settled yet. */
    private record Pending(RunEvent event, Message<?> message) {
    }

    private final RunEventService service;
    private final Vertx vertx;
    private final MeterRegistry registry;
    private final Duration retryDelay;
    private final int batchSize;

    private final ConcurrentLinkedQueue<Pending> queued = new ConcurrentLinkedQueue<>();
    /** True while a batch is being applied or its failure is being waited out: one batch at a time. */
    private final AtomicBoolean applying = new AtomicBoolean();
    /** Messages handed over and not yet acked or given back. */
    private final AtomicInteger unsettled = new AtomicInteger();
    private volatile boolean stopped;

    public RunEventBatcher(RunEventService service, SchedulerConfig config, Vertx vertx, MeterRegistry registry) {
        this.service = service;
        this.vertx = vertx;
        this.registry = registry;
        this.retryDelay = config.events().retryDelay();
        this.batchSize = config.events().batchSize();
        Gauge.builder("trainyard.scheduler.run.events.unsettled", unsettled, AtomicInteger::get)
                .description("Run events received and not yet acked or returned to the queue").register(registry);
    }

    /**
     * Stops starting batches: the messages still here are neither acked nor returned, so the broker delivers them
     * again when the connection closes.
     */
    void onStop(@Observes ShutdownEvent event) {
        stopped = true;
    }

    /** Takes {@code event} to be applied with the next batch; returns at once. */
    public void submit(RunEvent event, Message<?> message) {
        unsettled.incrementAndGet();
        queued.add(new Pending(event, message));
        next();
    }

    /** Messages handed over and not yet acked or given back. */
    public int unsettled() {
        return unsettled.get();
    }

    /** Starts the next batch unless one is under way; the one under way calls this again when it ends. */
    private void next() {
        while (!stopped && !queued.isEmpty() && applying.compareAndSet(false, true)) {
            List<Pending> batch = new ArrayList<>(Math.min(batchSize, queued.size()));
            Pending p;
            while (batch.size() < batchSize && (p = queued.poll()) != null) {
                batch.add(p);
            }
            if (batch.isEmpty()) {
                applying.set(false); // taken by a batch that started meanwhile; look again
                continue;
            }
            SafeContexts.onNewContext(vertx, () -> apply(batch)).subscribe().with(
                    ignored -> batchEnded(),
                    failure -> {
                        // a bug, not the database: give the events back rather than leave them unsettled
                        LOG.errorf(failure, "Unexpected failure while applying %d run events; requeueing them",
                                batch.size());
                        batch.forEach(pending -> requeue(pending, failure));
                        batchEnded();
                    });
            return;
        }
    }

    private void batchEnded() {
        applying.set(false);
        next();
    }

    private Uni<Void> apply(List<Pending> batch) {
        return service.apply(batch.stream().map(Pending::event).toList())
                .onItemOrFailure().transformToUni((outcomes, failure) -> {
                    if (failure == null) {
                        for (int i = 0; i < batch.size(); i++) {
                            Pending pending = batch.get(i);
                            log(pending.event(), outcomes.get(i));
                            // committed: if the ack is lost, the event comes again and is ignored as a duplicate
                            settle(pending.message().ack());
                        }
                        return Uni.createFrom().voidItem();
                    }
                    if (batch.size() > 1 && isDataFailure(failure)) {
                        LOG.warnf("A batch of %d run events was refused (%s); applying them one by one",
                                batch.size(), failure.getMessage());
                        return Multi.createFrom().iterable(batch)
                                .onItem().transformToUniAndConcatenate(pending -> apply(List.of(pending)))
                                .collect().last().replaceWithVoid();
                    }
                    return retryLater(batch, failure);
                });
    }

    /**
     * Most likely the database is unreachable: gives the events back after a pause, so they are applied once the
     * database answers again, without spinning on it meanwhile. The pause holds the next batch too.
     */
    private Uni<Void> retryLater(List<Pending> batch, Throwable failure) {
        RunEvent first = batch.getFirst().event();
        LOG.warnf("Cannot apply %d run event(s), the first %s of run %s (%s); returning them to the queue in %s",
                batch.size(), first.routingKey(), first.run().runId(), failure.getMessage(), retryDelay);
        for (Pending pending : batch) {
            LOG.debugf("Returning %s of run %s (attempt %d, sequence %d) to the queue", pending.event().routingKey(),
                    pending.event().run().runId(), pending.event().run().attempt(), pending.event().run().sequence());
            count("retried");
        }
        return Uni.createFrom().voidItem().onItem().delayIt().by(retryDelay)
                .invoke(() -> batch.forEach(pending -> requeue(pending, failure)));
    }

    private void requeue(Pending pending, Throwable failure) {
        settle(pending.message().nack(failure, Metadata.of(new RabbitMQRejectMetadata(true))));
    }

    private void settle(CompletionStage<Void> settling) {
        settling.whenComplete((ignored, failure) -> {
            unsettled.decrementAndGet();
            if (failure != null) {
                // the channel is gone: the broker delivers the message again anyway
                LOG.debugf("Cannot settle a run event message: %s", failure.getMessage());
            }
        });
    }

    private static boolean isDataFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DatabaseException db && db.getSqlState() != null && db.getSqlState().length() >= 2) {
                return DATA_FAILURES.contains(db.getSqlState().substring(0, 2));
            }
        }
        return false;
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
