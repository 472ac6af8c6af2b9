package io.trainyard.scheduler.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainyard.contracts.RunCheckpointed;
import io.trainyard.contracts.RunCompleted;
import io.trainyard.contracts.RunFailed;
import io.trainyard.contracts.RunProgressed;
import io.trainyard.contracts.RunRef;
import io.trainyard.contracts.RunStarted;
import io.trainyard.scheduler.RunEntity;
import io.trainyard.scheduler.RunState;
import io.trainyard.scheduler.service.RunEvents.Outcome;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RunEventsTest {

    final UUID experiment = UUID.randomUUID();
    final RunEntity run = queued();

    private RunEntity queued() {
        RunEntity r = new RunEntity();
        r.id = UUID.randomUUID();
        r.experimentId = experiment;
        r.state = RunState.QUEUED;
        r.epochs = 10;
        return r;
    }

    private RunRef ref(int attempt, long sequence) {
        return new RunRef(experiment, run.id, attempt, sequence, "t" + attempt, Instant.parse("2026-01-01T00:00:00Z")
                .plusSeconds(attempt * 1000L + sequence));
    }

    private RunStarted started(int attempt, long sequence, int from, Integer resumed) {
        return new RunStarted(ref(attempt, sequence), "p", from, resumed, 10, null);
    }

    private RunProgressed progressed(int attempt, long sequence, int epoch) {
        return new RunProgressed(ref(attempt, sequence), epoch, 10, 1, 1, 1);
    }

    private RunCompleted completed(int attempt, long sequence) {
        return new RunCompleted(ref(attempt, sequence), "p", 10, Map.of("mae", 1.0), "models/");
    }

    @Test
    void startedProgressCompleted() {
        assertThat(RunEvents.apply(run, started(1, 1, 0, null))).isEqualTo(Outcome.APPLIED);
        assertThat(run.state).isEqualTo(RunState.RUNNING);
        assertThat(run.startedAt).isEqualTo(ref(1, 1).at());
        assertThat(RunEvents.apply(run, progressed(1, 2, 1))).isEqualTo(Outcome.APPLIED);
        assertThat(run.epoch).isEqualTo(1);
        assertThat(RunEvents.apply(run, completed(1, 3))).isEqualTo(Outcome.APPLIED);
        assertThat(run.state).isEqualTo(RunState.SUCCEEDED);
        assertThat(run.epoch).isEqualTo(10);
        assertThat(run.finishedAt).isEqualTo(ref(1, 3).at());
        assertThat(run.attempts).isEqualTo(1);
    }

    @Test
    void aResumedAttemptRecordsWhereItResumedFromAndTheFirstStartStays() {
        RunEvents.apply(run, started(1, 1, 0, null));
        RunEvents.apply(run, progressed(1, 2, 7));
        assertThat(RunEvents.apply(run, started(2, 1, 5, 5))).isEqualTo(Outcome.APPLIED);
        assertThat(run.attempts).isEqualTo(2);
        assertThat(run.resumedFromEpoch).isEqualTo(5);
        assertThat(run.epoch).isEqualTo(5);
        assertThat(run.trainer).isEqualTo("t2");
        assertThat(run.startedAt).isEqualTo(ref(1, 1).at());
    }

    @Test
    void duplicatesLateAndStaleAttemptsAreIgnored() {
        RunEvents.apply(run, started(2, 1, 4, 4));
        RunEvents.apply(run, progressed(2, 5, 6));
        assertThat(RunEvents.apply(run, progressed(2, 5, 6))).isEqualTo(Outcome.STALE);
        assertThat(RunEvents.apply(run, progressed(2, 4, 5))).isEqualTo(Outcome.STALE);
        assertThat(RunEvents.apply(run, progressed(1, 99, 9))).isEqualTo(Outcome.STALE);
        assertThat(RunEvents.apply(run, started(1, 1, 0, null))).isEqualTo(Outcome.STALE);
        assertThat(run.epoch).isEqualTo(6);
        assertThat(run.resumedFromEpoch).isEqualTo(4);
        assertThat(run.attempts).isEqualTo(2);
    }

    @Test
    void completionAndFailureWinEvenOutOfOrderAndAreFinal() {
        RunEvents.apply(run, progressed(2, 5, 6));
        assertThat(RunEvents.apply(run, completed(1, 9))).isEqualTo(Outcome.APPLIED);
        assertThat(run.state).isEqualTo(RunState.SUCCEEDED);
        assertThat(run.lastAttempt).isEqualTo(2);
        assertThat(run.lastSequence).isEqualTo(5);
        assertThat(RunEvents.apply(run, new RunFailed(ref(3, 1), "x"))).isEqualTo(Outcome.FINISHED);
        assertThat(RunEvents.apply(run, completed(3, 2))).isEqualTo(Outcome.FINISHED);
        assertThat(RunEvents.apply(run, started(3, 1, 0, null))).isEqualTo(Outcome.FINISHED);
        assertThat(run.state).isEqualTo(RunState.SUCCEEDED);
        assertThat(run.reason).isNull();
        assertThat(run.attempts).isEqualTo(2);
    }

    @Test
    void failureKeepsItsReason() {
        assertThat(RunEvents.apply(run, new RunFailed(ref(1, 1), "bad spec"))).isEqualTo(Outcome.APPLIED);
        assertThat(run.state).isEqualTo(RunState.FAILED);
        assertThat(run.reason).isEqualTo("bad spec");
        assertThat(RunEvents.apply(run, completed(2, 1))).isEqualTo(Outcome.FINISHED);
    }

    @Test
    void aCheckpointNeverLowersTheEpochAndEventsOfAnotherExperimentAreRefused() {
        RunEvents.apply(run, progressed(1, 3, 6));
        RunEvents.apply(run, new RunCheckpointed(ref(1, 4), 5, "c/", 1));
        assertThat(run.epoch).isEqualTo(6);
        RunRef foreign = new RunRef(UUID.randomUUID(), run.id, 9, 9, "x", Instant.now());
        assertThat(RunEvents.apply(run, new RunFailed(foreign, "x"))).isEqualTo(Outcome.MISMATCHED);
        assertThat(run.state).isEqualTo(RunState.RUNNING);
    }

    @Test
    void aPendingRunWhoseEventsOvertakeItsConfirmStillMovesForward() {
        run.state = RunState.PENDING;
        RunEvents.apply(run, started(1, 1, 0, null));
        assertThat(run.state).isEqualTo(RunState.RUNNING);
    }
}
