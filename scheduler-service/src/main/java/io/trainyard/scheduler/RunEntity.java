package io.trainyard.scheduler;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * One run of an experiment (one partition of the dataset at one point of the search) and what the scheduler knows of
 * it from the run events.
 *
 * <p>{@link #lastAttempt} and {@link #lastSequence} are the position of the newest event applied, so that duplicate,
 * late and stale events can be recognised and ignored.
 */
@Entity
@Table(name = "run")
public class RunEntity {

    @Id
    public UUID id;

    @Column(name = "experiment_id", nullable = false)
    public UUID experimentId;

    /** This run's value of the experiment's partition column; null for an unpartitioned experiment. */
    @Column(name = "partition_value")
    public String partition;

    /** Index of this run's point in the experiment's search; 0 without a search. */
    @Column(name = "search_point", nullable = false)
    public int searchPoint;

    /** The resolved hyperparameters this run trains with, as JSON. */
    @Column(nullable = false, columnDefinition = "text")
    public String hyperparameters;

    /** The resolved training settings of this run, as JSON. */
    @Column(nullable = false, columnDefinition = "text")
    public String training;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    public RunState state;

    /** Epochs done, as last reported. */
    @Column(nullable = false)
    public int epoch;

    @Column(nullable = false)
    public int epochs;

    /** Highest attempt number seen in the run's events. */
    @Column(nullable = false)
    public int attempts;

    @Column(name = "last_attempt", nullable = false)
    public int lastAttempt;

    @Column(name = "last_sequence", nullable = false)
    public long lastSequence;

    /** Checkpoint epoch the latest attempt resumed from; null when it started from the seed. */
    @Column(name = "resumed_from_epoch")
    public Integer resumedFromEpoch;

    public String trainer;

    @Column(columnDefinition = "text")
    public String reason;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "queued_at")
    public Instant queuedAt;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;
}
