package io.trainyard.scheduler.service;

import io.trainyard.contracts.RunCancelled;
import io.trainyard.contracts.RunCheckpointed;
import io.trainyard.contracts.RunCompleted;
import io.trainyard.contracts.RunEvent;
import io.trainyard.contracts.RunFailed;
import io.trainyard.contracts.RunProgressed;
import io.trainyard.contracts.RunRef;
import io.trainyard.contracts.RunReleased;
import io.trainyard.contracts.RunStarted;
import io.trainyard.scheduler.RunAttemptEntity;
import io.trainyard.scheduler.RunAttemptEntity.Outcome;
import java.util.List;

/**
 * The attempts history of a run: how an event the state machine applied changes the run's attempt records. An
 * attempt that is still RUNNING when a later one appears was cut off without a word (kill -9, lost connection) and
 * becomes INTERRUPTED.
 */
public final class RunAttempts {

    private RunAttempts() {
    }

    /**
     * Applies {@code event} to {@code attempts} (every attempt of its run, managed entities); returns the attempt to
     * persist when the event is the first of its attempt, else null.
     */
    public static RunAttemptEntity apply(List<RunAttemptEntity> attempts, RunEvent event) {
        RunRef ref = event.run();
        RunAttemptEntity current = null;
        for (RunAttemptEntity a : attempts) {
            if (a.id.attempt() == ref.attempt()) {
                current = a;
            } else if (a.id.attempt() < ref.attempt() && a.outcome == Outcome.RUNNING) {
                a.outcome = Outcome.INTERRUPTED;
                a.endedAt = ref.at();
            }
        }
        RunAttemptEntity created = null;
        if (current == null) {
            current = new RunAttemptEntity();
            current.id = new RunAttemptEntity.Key(ref.runId(), ref.attempt());
            current.outcome = Outcome.RUNNING;
            created = current;
        }
        if (current.trainer == null) {
            current.trainer = ref.trainer();
        }
        switch (event) {
            case RunStarted e -> {
                current.startedAt = ref.at();
                current.startEpoch = e.startEpoch();
                current.resumedFromEpoch = e.resumedFromEpoch();
                current.lastEpoch = Math.max(current.lastEpoch, e.startEpoch());
            }
            case RunProgressed e -> current.lastEpoch = Math.max(current.lastEpoch, e.epoch());
            case RunCheckpointed e -> current.lastEpoch = Math.max(current.lastEpoch, e.epoch());
            case RunCompleted e -> end(current, Outcome.SUCCEEDED, ref, e.epochs(), null);
            case RunFailed e -> end(current, Outcome.FAILED, ref, current.lastEpoch, e.reason());
            case RunCancelled e -> end(current, Outcome.CANCELLED, ref, e.epoch(), e.reason());
            case RunReleased e -> end(current, Outcome.RELEASED, ref, e.epoch(), e.reason());
        }
        return created;
    }

    private static void end(RunAttemptEntity attempt, Outcome outcome, RunRef ref, int epoch, String detail) {
        attempt.outcome = outcome;
        attempt.endedAt = ref.at();
        attempt.lastEpoch = Math.max(attempt.lastEpoch, epoch);
        attempt.detail = detail;
    }
}
