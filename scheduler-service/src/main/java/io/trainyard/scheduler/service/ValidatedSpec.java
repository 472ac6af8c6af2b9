package io.trainyard.scheduler.service;

import io.trainyard.storage.DatasetMeta;
import java.util.List;

/**
 * A spec that passed every check, with its defaults filled in.
 *
 * @param spec       the complete spec
 * @param dataset    the dataset's metadata, as read when the spec was checked
 * @param partitions the partition values, or a single null for an unpartitioned experiment
 * @param points     the search's points, a single empty one without a search; one run per partition and point
 */
public record ValidatedSpec(ExperimentSpec spec, DatasetMeta dataset, List<String> partitions,
        List<SearchSpace.Point> points) {
}
