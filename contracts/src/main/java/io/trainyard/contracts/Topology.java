package io.trainyard.contracts;

import java.util.Map;

/**
 * Broker names every service agrees on (see DESIGN.md, "Broker topology").
 *
 * <p>Channel names inside a service are separate from these; the services' application.properties bind
 * channels to these exchanges and queues.
 */
public final class Topology {

    /** Topic exchange for training commands, routing key {@code run.<pool>}. */
    public static final String COMMANDS_EXCHANGE = "trainyard.commands";
    /** Topic exchange for run events, routing key {@code run.<event>}. */
    public static final String EVENTS_EXCHANGE = "trainyard.events";
    /** Fanout exchange for cancel and drain signals to every trainer. */
    public static final String CONTROL_EXCHANGE = "trainyard.control";
    /** Exchange and queue that receive commands past their delivery limit or that cannot be parsed. */
    public static final String DEAD_EXCHANGE = "trainyard.dead";
    public static final String DEAD_QUEUE = "trainyard.dead";
    /** The scheduler's copy of every run event. */
    public static final String SCHEDULER_EVENTS_QUEUE = "scheduler.run-events";
    /** The results service's copy of every run event. */
    public static final String RESULTS_EVENTS_QUEUE = "results.run-events";
    /** Binding that delivers every run event. */
    public static final String ALL_RUN_EVENTS = "run.#";
    public static final String DEFAULT_POOL = "cpu";
    /** Deliveries of one command before it is dead-lettered (redeliveries after crashes count; drains do not). */
    public static final int DEFAULT_DELIVERY_LIMIT = 5;

    private Topology() {
    }

    /** Routing key of a training command for {@code pool}. */
    public static String commandRoutingKey(String pool) {
        return "run." + pool;
    }

    /** Name of the quorum queue the trainers of {@code pool} consume. */
    public static String trainerQueue(String pool) {
        return "trainer." + pool;
    }

    /**
     * Arguments of {@link #trainerQueue(String)}, exactly as the trainer's RabbitMQ connector declares them
     * (quorum type, delivery limit, dead-lettering to {@link #DEAD_EXCHANGE} with the queue name as routing key).
     * The scheduler declares the same queue so that commands published before any trainer started are kept;
     * RabbitMQ refuses a second declaration whose arguments differ.
     */
    public static Map<String, Object> trainerQueueArguments(String pool, int deliveryLimit) {
        return Map.of(
                "x-queue-type", "quorum",
                "x-delivery-limit", (long) deliveryLimit, // the connector declares it as a long; types must match
                "x-dead-letter-exchange", DEAD_EXCHANGE,
                "x-dead-letter-routing-key", trainerQueue(pool));
    }
}
