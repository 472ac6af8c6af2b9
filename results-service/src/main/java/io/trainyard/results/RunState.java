package io.trainyard.results;

/** Where a run is, as far as the results service has heard. */
public enum RunState {
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED
}
