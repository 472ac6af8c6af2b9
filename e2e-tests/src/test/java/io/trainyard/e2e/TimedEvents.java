package io.trainyard.e2e;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.trainyard.contracts.InvalidMessageException;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.RunEvent;
import io.trainyard.contracts.Topology;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * For the benchmarks: every run event on the broker with the instant it arrived here ({@link System#nanoTime()}),
 * through a queue of its own. The arrival, not the event's own timestamp, is what a benchmark measures against: it
 * is on the same clock as the benchmark's actions (a kill, a submit).
 */
final class TimedEvents implements AutoCloseable {

    /** An event and when it arrived. */
    record Arrival(long nanos, RunEvent event) {
    }

    private final Connection connection;
    private final List<Arrival> arrivals = new CopyOnWriteArrayList<>();

    TimedEvents() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        connection = factory.newConnection("bench-events");
        Channel channel = connection.createChannel();
        channel.exchangeDeclare(Topology.EVENTS_EXCHANGE, "topic", true);
        String queue = channel.queueDeclare("", false, true, true, null).getQueue();
        channel.queueBind(queue, Topology.EVENTS_EXCHANGE, Topology.ALL_RUN_EVENTS);
        channel.basicConsume(queue, true, (tag, delivery) -> {
            long now = System.nanoTime();
            try {
                arrivals.add(new Arrival(now, Messages.decodeEvent(delivery.getBody())));
            } catch (InvalidMessageException ignored) {
                // someone else's junk
            }
        }, tag -> {
        });
    }

    /** Arrivals of {@code type} for the experiment, in arrival order. */
    <T extends RunEvent> List<Arrival> of(UUID experimentId, Class<T> type) {
        return arrivals.stream()
                .filter(a -> type.isInstance(a.event()) && a.event().run().experimentId().equals(experimentId))
                .toList();
    }

    /** Events of {@code type} for the run, in arrival order. */
    <T extends RunEvent> List<T> events(UUID runId, Class<T> type) {
        return arrivals.stream().map(Arrival::event).filter(type::isInstance).map(type::cast)
                .filter(e -> e.run().runId().equals(runId)).toList();
    }

    /** Waits for the first arrival of {@code type} about the run that matches, polling every millisecond. */
    <T extends RunEvent> Arrival await(UUID runId, Class<T> type, Predicate<T> matching, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            Optional<Arrival> found = arrivals.stream()
                    .filter(a -> type.isInstance(a.event()) && a.event().run().runId().equals(runId)
                            && matching.test(type.cast(a.event())))
                    .findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            Thread.sleep(1);
        }
        throw new IllegalStateException("no " + type.getSimpleName() + " of run " + runId + " within " + timeout);
    }

    @Override
    public void close() throws Exception {
        connection.close();
    }
}
