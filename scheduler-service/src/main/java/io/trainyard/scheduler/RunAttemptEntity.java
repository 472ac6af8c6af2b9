package io.trainyard.scheduler;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.UUID;

/** One attempt of a run (one delivery of its command to a trainer), as the run's events tell it. */
@Entity
@Table(name = "run_attempt")
public class RunAttemptEntity {

    /** How an attempt ended. */
    public enum Outcome {
        RUNNING,
        SUCCEEDED,
        FAILED,
        CANCELLED,
        /** Stopped at a checkpoint and handed the run back: a drain or the end of a segment. */
        RELEASED,
        /** A later attempt started without this one saying it ended: a crash, a kill, a lost connection. */
        INTERRUPTED
    }

    @Embeddable
    public record Key(@Column(name = "run_id") UUID runId, @Column(name = "attempt") int attempt)
            implements Serializable {
    }

    @EmbeddedId
    public Key id;

    public String trainer;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "start_epoch")
    public Integer startEpoch;

    @Column(name = "resumed_from_epoch")
    public Integer resumedFromEpoch;

    /** Epochs done, as this attempt last reported. */
    @Column(name = "last_epoch", nullable = false)
    public int lastEpoch;

    @Column(name = "ended_at")
    public Instant endedAt;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    public Outcome outcome;

    /** Why it ended, when it says (failure reason, drain or segment, who cancelled). */
    @Column(columnDefinition = "text")
    public String detail;
}
