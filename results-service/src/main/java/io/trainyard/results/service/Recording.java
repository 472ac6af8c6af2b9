package io.trainyard.results.service;

/** What storing one event did. */
public enum Recording {
    /** A new event, stored with its effects on the run. */
    RECORDED,
    /** A new completion and the run's first: its result and metrics are now stored. */
    RESULT_RECORDED,
    /** A new completion event (e.g. a re-announcement by a later attempt) of a run whose result was already stored. */
    RESULT_ALREADY_KNOWN,
    /** The same event was stored before (a redelivery or re-publication): nothing changed. */
    DUPLICATE;

    public boolean isDuplicate() {
        return this == DUPLICATE;
    }
}
