package io.trainyard.scheduler;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A submitted experiment: its spec as accepted, and the columns the API lists and filters by. */
@Entity
@Table(name = "experiment")
public class ExperimentEntity {

    @Id
    public UUID id;

    @Column(nullable = false, length = 100)
    public String name;

    @Column(nullable = false, length = 64)
    public String dataset;

    @Column(name = "partition_by")
    public String partitionBy;

    @Column(name = "model_kind", nullable = false, length = 100)
    public String modelKind;

    @Column(nullable = false, length = 100)
    public String pool;

    /** The spec with every default filled in, as JSON: what later commands of this experiment are built from. */
    @Column(nullable = false, columnDefinition = "text")
    public String spec;

    @Column(name = "run_count", nullable = false)
    public int runCount;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
