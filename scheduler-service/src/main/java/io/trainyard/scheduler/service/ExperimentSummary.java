package io.trainyard.scheduler.service;

import io.trainyard.scheduler.ExperimentEntity;
import java.time.Instant;

/**
 * An experiment and where its runs are.
 *
 * @param startedAt  when its first run started, null before
 * @param finishedAt when its last run finished, null until every run has
 */
public record ExperimentSummary(ExperimentEntity experiment, ExperimentStatus status, RunCounts counts,
        Instant startedAt, Instant finishedAt) {
}
