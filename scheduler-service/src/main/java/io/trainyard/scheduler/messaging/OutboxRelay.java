package io.trainyard.scheduler.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.TimeoutException;
import io.smallrye.mutiny.Uni;
import io.trainyard.scheduler.OutboxEntity;
import io.trainyard.scheduler.config.SchedulerConfig;
import io.trainyard.scheduler.repository.OutboxRepository;
import io.trainyard.scheduler.repository.RunRepository;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Publishes the outbox: in one transaction it locks a batch of unsent rows ({@code for update skip locked}),
 * publishes them, waits for the broker's confirms, marks the confirmed rows sent and their runs QUEUED, and commits.
 * Rows the broker did not confirm stay unsent and are tried again after a pause, so a submission never depends on
 * RabbitMQ being up.
 *
 * <p>A command whose confirm does not come in time is not necessarily lost: while the broker is away the channel keeps
 * it and sends it when the connection is back. Publishing the row again then would send it twice, so the relay
 * remembers what it handed to the channel and, on later passes, waits for that same send instead of publishing
 * again; only a send that failed, or that stays unconfirmed for {@code in-flight-expiry}, is published anew. While the
 * channel reports its connection down nothing is published at all.
 * Delivery stays at-least-once: a crash between confirm and commit, or another replica taking over a row whose send
 * is still pending here, can publish a command twice.
 *
 * <p>It runs when {@link #trigger() triggered} (right after a submission commits) and on a Vert.x timer every
 * {@code trainyard.scheduler.outbox.poll-interval}. The timer rather than {@code @Scheduled}: Quarkus's built-in
 * scheduler checks its triggers once a second ({@code SimpleScheduler.CHECK_PERIOD}), so it cannot poll every 200 ms.
 * At most one relay pass runs at a time in a process; replicas share rows through the skipped locks.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** Batches per pass before the pass yields to the next trigger, so one pass never runs unbounded. */
    private static final int MAX_BATCHES_PER_PASS = 20;

    private final OutboxRepository outbox;
    private final RunRepository runs;
    private final CommandPublisher publisher;
    private final BrokerTopology topology;
    private final SchedulerConfig.Outbox config;
    private final Vertx vertx;
    private final Counter published;
    private final Counter failed;

    private final Map<Long, InFlight> inFlight = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean requested = new AtomicBoolean();
    private volatile boolean stopped = true;
    private volatile long timerId = -1;
    private volatile Instant pausedUntil = Instant.EPOCH;
    private volatile Duration backoff;

    public OutboxRelay(OutboxRepository outbox, RunRepository runs, CommandPublisher publisher,
            BrokerTopology topology, SchedulerConfig config, Vertx vertx, MeterRegistry registry) {
        this.outbox = outbox;
        this.runs = runs;
        this.publisher = publisher;
        this.topology = topology;
        this.config = config.outbox();
        this.vertx = vertx;
        this.backoff = this.config.minBackoff();
        this.published = Counter.builder("trainyard.scheduler.commands.published")
                .description("Training commands the broker confirmed").register(registry);
        this.failed = Counter.builder("trainyard.scheduler.commands.publish.failures")
                .description("Attempts to publish a training command that were not confirmed").register(registry);
    }

    void onStart(@Observes StartupEvent event) {
        stopped = false;
        timerId = vertx.setPeriodic(Math.max(1, config.pollInterval().toMillis()), id -> trigger());
    }

    void onStop(@Observes ShutdownEvent event) {
        stopped = true;
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
    }

    /** Asks for a relay pass soon; returns at once. A pass already running picks the request up when it ends. */
    public void trigger() {
        requested.set(true);
        if (stopped || Instant.now().isBefore(pausedUntil) || !topology.isDeclared() || !publisher.isConnected()) {
            return;
        }
        if (running.compareAndSet(false, true)) {
            SafeContexts.onNewContext(vertx, () -> pass(0)).subscribe().with(
                    ignored -> passEnded(),
                    failure -> {
                        if (stopped) {
                            LOG.debugf("Outbox relay pass ended by the shutdown: %s", failure.getMessage());
                        } else {
                            LOG.errorf(failure, "Outbox relay pass failed; its rows stay in the outbox");
                        }
                        pause();
                        passEnded();
                    });
        }
    }

    private void passEnded() {
        running.set(false);
        if (requested.get()) {
            trigger();
        }
    }

    private Uni<Void> pass(int batches) {
        requested.set(false);
        return Panache.withTransaction(this::relayBatch).chain(result -> {
            result.sentRows().forEach(inFlight::remove);
            if (result.failures() > 0) {
                pause();
                return Uni.createFrom().voidItem();
            }
            backoff = config.minBackoff();
            if (result.sent() == config.batchSize() && batches + 1 < MAX_BATCHES_PER_PASS) {
                return pass(batches + 1);
            }
            if (result.sent() == config.batchSize()) {
                requested.set(true);
            }
            return Uni.createFrom().voidItem();
        });
    }

    /** @param sentRows rows marked sent, to forget once the transaction committed */
    private record BatchResult(int sent, int failures, List<Long> sentRows) {
    }

    /** What happened to one row in a batch; {@code pending}: unconfirmed in time, still with the channel. */
    private record Attempt(OutboxEntity row, Throwable failure, boolean pending) {
    }

    /** A send handed to the channel: its (memoized) confirm, and since when. */
    private record InFlight(Uni<Void> confirmed, Instant since) {
    }

    /** One batch, inside the transaction that holds its rows' locks. */
    private Uni<BatchResult> relayBatch() {
        Instant now = Instant.now();
        inFlight.values().removeIf(sending -> expired(sending, now));
        return outbox.lockUnsent(config.batchSize()).chain(rows -> {
            if (rows.isEmpty()) {
                return Uni.createFrom().item(new BatchResult(0, 0, List.of()));
            }
            // Confirms complete on the connector's thread; the session must be used on ours again afterwards.
            Executor here = SafeContexts.executor(io.vertx.core.Vertx.currentContext());
            List<Uni<Attempt>> sends = rows.stream().map(row -> send(row, now)).toList();
            return Uni.join().all(sends).andFailFast().emitOn(here).chain(this::record);
        });
    }

    private Uni<Attempt> send(OutboxEntity row, Instant now) {
        InFlight sending = inFlight.compute(row.id, (id, pending) -> pending != null && !expired(pending, now)
                ? pending
                : new InFlight(publisher.publish(row).memoize().indefinitely(), now));
        return sending.confirmed()
                .ifNoItem().after(config.confirmTimeout()).fail()
                .map(ignored -> new Attempt(row, null, false))
                .onFailure().recoverWithItem(failure -> {
                    boolean pending = failure instanceof TimeoutException;
                    if (!pending) {
                        inFlight.remove(row.id, sending); // refused or failed: publish it anew next time
                    }
                    return new Attempt(row, failure, pending);
                });
    }

    private boolean expired(InFlight sending, Instant now) {
        return sending.since().plus(config.inFlightExpiry()).isBefore(now);
    }

    private Uni<BatchResult> record(List<Attempt> attempts) {
        Instant now = Instant.now();
        List<UUID> confirmed = new ArrayList<>();
        int failures = 0;
        for (Attempt attempt : attempts) {
            if (attempt.failure() == null) {
                // sent_at is set by one bulk update below, not entity by entity
                if (attempt.row().kind == OutboxEntity.Kind.COMMAND) {
                    confirmed.add(attempt.row().runId);
                }
            } else {
                failures++;
                attempt.row().attempts++;
                attempt.row().lastError = describe(attempt.failure());
            }
        }
        published.increment(confirmed.size());
        if (failures > 0) {
            failed.increment(failures);
            LOG.warnf("%d of %d commands were not confirmed, %d of them still pending with the channel (%s); they "
                    + "stay in the outbox", failures, attempts.size(), attempts.stream().filter(Attempt::pending)
                            .count(), attempts.stream().filter(a -> a.failure() != null).findFirst()
                            .map(a -> a.row().lastError).orElse(""));
            // The broker may have been restarted without our exchanges and queues: declare them before trying again.
            topology.redeclare();
        }
        int failedCount = failures;
        List<Long> sentRows = attempts.stream().filter(a -> a.failure() == null).map(a -> a.row().id).toList();
        return outbox.markSent(sentRows, now).chain(() -> runs.markQueued(confirmed, now))
                .map(ignored -> new BatchResult(sentRows.size(), failedCount, sentRows));
    }

    private void pause() {
        Duration pause = backoff;
        pausedUntil = Instant.now().plus(pause);
        Duration doubled = pause.multipliedBy(2);
        backoff = doubled.compareTo(config.maxBackoff()) > 0 ? config.maxBackoff() : doubled;
    }

    private static String describe(Throwable failure) {
        String text = failure.getClass().getSimpleName() + (failure.getMessage() == null ? ""
                : ": " + failure.getMessage());
        return text.length() > 1000 ? text.substring(0, 1000) : text;
    }
}
