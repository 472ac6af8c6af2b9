package io.trainyard.scheduler.service;

import io.trainyard.scheduler.RunState;
import java.util.Map;

/** How many of an experiment's runs are in each state. */
public record RunCounts(long pending, long queued, long running, long succeeded, long failed, long cancelled) {

    public static RunCounts of(Map<RunState, Long> byState) {
        return new RunCounts(byState.getOrDefault(RunState.PENDING, 0L), byState.getOrDefault(RunState.QUEUED, 0L),
                byState.getOrDefault(RunState.RUNNING, 0L), byState.getOrDefault(RunState.SUCCEEDED, 0L),
                byState.getOrDefault(RunState.FAILED, 0L), byState.getOrDefault(RunState.CANCELLED, 0L));
    }

    public long total() {
        return pending + queued + running + succeeded + failed + cancelled;
    }

    public long finished() {
        return succeeded + failed + cancelled;
    }
}
