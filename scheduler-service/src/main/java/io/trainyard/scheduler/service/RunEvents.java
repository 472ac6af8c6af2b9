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
import io.trainyard.scheduler.RunEntity;
import io.trainyard.scheduler.RunState;

/**
 * The run state machine: how one run event changes what the scheduler knows of a run.
 *
 * <p>Events arrive twice, late and out of order. The state only moves forward, terminal states are final, and an
 * event that is not newer (by attempt, then sequence) than the last one applied is ignored, except that
 * {@code run.completed}, {@code run.failed} and {@code run.cancelled} end a run that is not yet finished whenever they
 * arrive: an attempt cannot report the end of a run it did not reach. A {@code run.completed} also ends a run that
 * was cancelled while the completion was on its way: its model exists.
 */
public final class RunEvents {

    /** What became of an event. */
    public enum Outcome {
        APPLIED,
        /** Not newer than what the run already reflects: a duplicate, or late, or from a stale attempt. */
        STALE,
        /** The run has already succeeded, failed or been cancelled. */
        FINISHED,
        /** The event names another experiment than the run belongs to. */
        MISMATCHED
    }

    private RunEvents() {
    }

    public static Outcome apply(RunEntity run, RunEvent event) {
        RunRef ref = event.run();
        if (!ref.experimentId().equals(run.experimentId)) {
            return Outcome.MISMATCHED;
        }
        if (run.state.isTerminal() && !(run.state == RunState.CANCELLED && event instanceof RunCompleted)) {
            return Outcome.FINISHED;
        }
        boolean newer = ref.isNewerThan(run.lastAttempt, run.lastSequence);
        boolean terminal = event instanceof RunCompleted || event instanceof RunFailed
                || event instanceof RunCancelled;
        if (!newer && !terminal) {
            return Outcome.STALE;
        }
        switch (event) {
            case RunStarted started -> {
                moveTo(run, RunState.RUNNING);
                run.epoch = started.startEpoch();
                run.epochs = started.epochs();
                run.resumedFromEpoch = started.resumedFromEpoch();
                if (run.startedAt == null) {
                    run.startedAt = ref.at();
                }
            }
            case RunProgressed progressed -> {
                moveTo(run, RunState.RUNNING);
                run.epoch = progressed.epoch();
                run.epochs = progressed.epochs();
            }
            case RunCheckpointed checkpointed -> {
                moveTo(run, RunState.RUNNING);
                run.epoch = Math.max(run.epoch, checkpointed.epoch());
            }
            case RunCompleted completed -> {
                moveTo(run, RunState.SUCCEEDED);
                run.epoch = completed.epochs();
                run.epochs = completed.epochs();
                run.finishedAt = ref.at();
                run.reason = null;
            }
            case RunFailed failed -> {
                moveTo(run, RunState.FAILED);
                run.reason = failed.reason();
                run.finishedAt = ref.at();
            }
            case RunReleased released -> {
                moveTo(run, RunState.RUNNING);
                run.epoch = Math.max(run.epoch, released.epoch());
            }
            case RunCancelled cancelled -> {
                moveTo(run, RunState.CANCELLED);
                run.epoch = Math.max(run.epoch, cancelled.epoch());
                run.reason = cancelled.reason();
                run.finishedAt = ref.at();
            }
        }
        if (ref.trainer() != null && (newer || run.trainer == null)) {
            run.trainer = ref.trainer();
        }
        run.attempts = Math.max(run.attempts, ref.attempt());
        if (newer) {
            run.lastAttempt = ref.attempt();
            run.lastSequence = ref.sequence();
        }
        return Outcome.APPLIED;
    }

    private static void moveTo(RunEntity run, RunState next) {
        if (run.state.canMoveTo(next)) {
            run.state = next;
        }
    }
}
