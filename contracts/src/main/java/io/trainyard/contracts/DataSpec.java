package io.trainyard.contracts;

import java.util.Objects;

/**
 * The slice of a dataset one run trains on.
 *
 * @param datasetId       id of the dataset under {@code datasets/<id>/} in the bucket
 * @param partitionColumn column that splits the dataset into runs (null: the whole dataset is one run)
 * @param partition       this run's value of {@code partitionColumn} (null when there is no partition column)
 * @param timeColumn      column that orders the rows in time
 * @param targetColumn    column to forecast
 */
public record DataSpec(String datasetId, String partitionColumn, String partition, String timeColumn,
        String targetColumn) {
    public DataSpec {
        Objects.requireNonNull(datasetId, "data.datasetId");
        Objects.requireNonNull(timeColumn, "data.timeColumn");
        Objects.requireNonNull(targetColumn, "data.targetColumn");
        if ((partitionColumn == null) != (partition == null)) {
            throw new IllegalArgumentException("data.partitionColumn and data.partition go together");
        }
    }
}
