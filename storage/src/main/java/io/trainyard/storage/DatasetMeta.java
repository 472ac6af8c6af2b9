package io.trainyard.storage;

import java.time.Instant;
import java.util.List;

/**
 * What {@code datasets/<id>/meta.json} says about a dataset.
 *
 * @param id              the dataset id
 * @param rows            data rows (without the header)
 * @param columns         columns in file order with their inferred types
 * @param partitionColumn the column that splits it into partitions, null if none was named
 * @param partitions      distinct values of {@code partitionColumn}, sorted
 * @param bytes           size of {@code data.csv}
 * @param createdAt       when it was written
 */
public record DatasetMeta(String id, long rows, List<Column> columns, String partitionColumn, List<String> partitions,
        long bytes, Instant createdAt) {

    /** A column and its type: {@code number}, {@code date} or {@code string}. */
    public record Column(String name, String type) {
    }

    public boolean hasColumn(String name) {
        return columns.stream().anyMatch(c -> c.name().equals(name));
    }

    public List<String> columnNames() {
        return columns.stream().map(Column::name).toList();
    }
}
