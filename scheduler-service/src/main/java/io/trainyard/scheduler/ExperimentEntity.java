package io.trainyard.scheduler;

import io.trainyard.contracts.Visibility;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Converter;
import jakarta.persistence.AttributeConverter;
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

    /** The user who submitted it; null for experiments submitted before owners were recorded. */
    @Column(length = 100)
    public String owner;

    /** Who besides the owner and the admins may read it. */
    @Convert(converter = VisibilityColumn.class)
    @Column(nullable = false, length = 16)
    public Visibility visibility;

    /** Stores a visibility as its lower-case name, as the API writes it. */
    @Converter
    public static class VisibilityColumn implements AttributeConverter<Visibility, String> {

        @Override
        public String convertToDatabaseColumn(Visibility visibility) {
            return visibility == null ? null : visibility.wire();
        }

        @Override
        public Visibility convertToEntityAttribute(String column) {
            return column == null ? null : Visibility.fromWire(column);
        }
    }
}
