package io.trainyard.results;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.MapKeyColumn;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The final result of one run, recorded from its first {@code run.completed}. Read-only for Hibernate: rows are
 * written by {@link io.trainyard.results.repository.EventBatchRepository} with {@code on conflict do nothing}.
 */
@Entity
@Table(name = "run_result")
public class RunResultEntity {

    @Id
    @Column(name = "run_id")
    public UUID runId;

    @Column(name = "experiment_id", nullable = false)
    public UUID experimentId;

    @Column(name = "partition_value", columnDefinition = "text")
    public String partitionValue;

    @Column(nullable = false)
    public int attempt;

    @Column(nullable = false)
    public int epochs;

    @Column(name = "model_location", columnDefinition = "text")
    public String modelLocation;

    @Column(name = "completed_at", nullable = false)
    public Instant completedAt;

    @Column(name = "recorded_at", nullable = false)
    public Instant recordedAt;

    /** Final metrics by name (mae, rmse, mape, ...); fetch them with a join fetch, there is no lazy loading here. */
    @ElementCollection
    @CollectionTable(name = "run_metric", joinColumns = @JoinColumn(name = "run_id"))
    @MapKeyColumn(name = "name", columnDefinition = "text")
    @Column(name = "value", nullable = false)
    public Map<String, Double> metrics = new HashMap<>();
}
