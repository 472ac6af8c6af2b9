package io.trainyard.scheduler.messaging;

/** Names of the scheduler's messaging channels; application.properties binds them to the broker's names. */
public final class Channels {

    /** Outgoing: training commands to {@code trainyard.commands}, published by the outbox relay. */
    public static final String RUN_COMMANDS = "run-commands";

    /** Outgoing: cancel signals to the {@code trainyard.control} fanout exchange, published by the outbox relay. */
    public static final String RUN_CONTROL = "run-control";

    /** Incoming: every run event, from the quorum queue {@code scheduler.run-events}. */
    public static final String RUN_EVENTS = "run-events";

    /** Incoming: commands the trainer queues dead-lettered, from the queue {@code trainyard.dead}. */
    public static final String DEAD_COMMANDS = "dead-commands";

    private Channels() {
    }
}
