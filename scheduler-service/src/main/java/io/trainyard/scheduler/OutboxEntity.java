package io.trainyard.scheduler;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * A message written in the same transaction as the state it announces, published later by the outbox relay: a
 * command is never lost between the database and the broker, and never published for a submission that rolled back.
 */
@Entity
@Table(name = "outbox")
public class OutboxEntity {

    @Id
    @SequenceGenerator(name = "outbox_seq", sequenceName = "outbox_seq", allocationSize = 50)
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "outbox_seq")
    public Long id;

    /** What the row carries, and so where it goes. */
    public enum Kind {
        /** A training command, to {@code trainyard.commands} with the row's routing key. */
        COMMAND,
        /** A cancel signal, to the {@code trainyard.control} fanout exchange. */
        CONTROL
    }

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    public Kind kind = Kind.COMMAND;

    /** The run the message is about; for a signal about a whole experiment, the experiment. */
    @Column(name = "run_id", nullable = false)
    public UUID runId;

    @Column(name = "routing_key", nullable = false)
    public String routingKey;

    /** The encoded message (JSON bytes). */
    @Column(nullable = false)
    public byte[] payload;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    /** When the broker confirmed it; null while it waits. */
    @Column(name = "sent_at")
    public Instant sentAt;

    /** Failed publishing attempts. */
    @Column(nullable = false)
    public int attempts;

    @Column(name = "last_error", columnDefinition = "text")
    public String lastError;
}
