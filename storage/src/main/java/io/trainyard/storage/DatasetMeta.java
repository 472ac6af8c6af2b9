package io.trainyard.storage;

import io.trainyard.contracts.Visibility;
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
 * @param owner           the user who uploaded or generated it; null in meta.json files written before owners
 *                        existed (such datasets are readable by everyone and changed by admins only)
 * @param visibility      who else may read it ({@code private} or {@code shared}); null where {@code owner} is
 */
public record DatasetMeta(String id, long rows, List<Column> columns, String partitionColumn, List<String> partitions,
        long bytes, Instant createdAt, String owner, Visibility visibility) {

    /** Metadata without an owner, as written before owners existed. */
    public DatasetMeta(String id, long rows, List<Column> columns, String partitionColumn, List<String> partitions,
            long bytes, Instant createdAt) {
        this(id, rows, columns, partitionColumn, partitions, bytes, createdAt, null, null);
    }

    /** This metadata owned by {@code owner} with {@code visibility}. */
    public DatasetMeta ownedBy(String owner, Visibility visibility) {
        return new DatasetMeta(id, rows, columns, partitionColumn, partitions, bytes, createdAt, owner, visibility);
    }

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
