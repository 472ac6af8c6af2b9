package io.trainyard.results.repository;

import java.util.UUID;

/** Aggregate of one final metric over the completed runs of one experiment (finite values only). */
public record MetricAggregateRow(UUID experimentId, String metric, double mean, double min, double max, long count) {
}
