package io.trainyard.results;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * Where a run is, from its newest event by (attempt, sequence). Read-only for Hibernate: rows are upserted by
 * {@link io.trainyard.results.repository.EventBatchRepository}.
 */
@Entity
@Table(name = "run_status")
public class RunStatusEntity {

    @Id
    @Column(name = "run_id")
    public UUID runId;

    @Column(name = "experiment_id", nullable = false)
    public UUID experimentId;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, columnDefinition = "text")
    public RunState status;

    /** Why the run failed (null unless FAILED). */
    @Column(columnDefinition = "text")
    public String reason;

    @Column(name = "partition_value", columnDefinition = "text")
    public String partitionValue;

    @Column(nullable = false)
    public int attempt;

    @Column(nullable = false)
    public long sequence;

    /** Epochs done as last reported. */
    public Integer epoch;

    /** Total epochs of the run, when known. */
    public Integer epochs;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
