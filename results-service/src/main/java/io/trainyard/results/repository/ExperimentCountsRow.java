package io.trainyard.results.repository;

import java.util.UUID;

/** How many runs of a recently active experiment have a result, and how many failed. */
public record ExperimentCountsRow(UUID experimentId, long completed, long failed) {
}
