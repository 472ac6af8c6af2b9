package io.trainyard.scheduler.service;

import io.trainyard.scheduler.ExperimentEntity;
import io.trainyard.scheduler.OutboxEntity;
import io.trainyard.scheduler.RunEntity;
import java.util.List;

/** Everything one submission writes, in one transaction: the experiment, its runs and their commands. */
public record ExperimentPlan(ExperimentEntity experiment, List<RunEntity> runs, List<OutboxEntity> commands) {
}
