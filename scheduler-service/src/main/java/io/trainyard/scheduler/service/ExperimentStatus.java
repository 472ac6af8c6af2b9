package io.trainyard.scheduler.service;

import com.fasterxml.jackson.annotation.JsonValue;

/** An experiment's status, derived from its runs' states. */
public enum ExperimentStatus {
    /** No run has started yet. */
    QUEUED,
    /** Some run started and not every run has finished. */
    RUNNING,
    /** Every run succeeded. */
    SUCCEEDED,
    /** Every run finished, some failed and some succeeded. */
    PARTIALLY_FAILED,
    /** Every run failed. */
    FAILED,
    /** Every run finished and some were cancelled. */
    CANCELLED;

    public static ExperimentStatus of(RunCounts counts) {
        long total = counts.total();
        if (total > 0 && counts.finished() == total && counts.cancelled() > 0) {
            return CANCELLED;
        }
        if (total > 0 && counts.succeeded() == total) {
            return SUCCEEDED;
        }
        if (total > 0 && counts.failed() == total) {
            return FAILED;
        }
        if (total > 0 && counts.finished() == total) {
            return PARTIALLY_FAILED;
        }
        // Cancelled runs alone do not make an experiment running: nothing of it may have started.
        if (counts.running() > 0 || counts.succeeded() + counts.failed() > 0) {
            return RUNNING;
        }
        return QUEUED;
    }

    /** The status a query parameter names, ignoring case; null when absent. */
    public static ExperimentStatus parse(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        for (ExperimentStatus status : values()) {
            if (status.json().equalsIgnoreCase(value.strip())) {
                return status;
            }
        }
        throw new InvalidRequestException(field, "unknown status '" + value + "'; one of " + java.util.Arrays
                .stream(values()).map(ExperimentStatus::json).collect(java.util.stream.Collectors.joining(", ")));
    }

    @JsonValue
    public String json() {
        return name().toLowerCase();
    }
}
