package io.trainyard.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MessagesTest {

    private static final RunRef REF = new RunRef(UUID.randomUUID(), UUID.randomUUID(), 2, 7, "trainer-1",
            Instant.parse("2026-11-23T10:15:30.123Z"));

    static TrainRun command() {
        return new TrainRun(Messages.SCHEMA_VERSION, UUID.randomUUID(), UUID.randomUUID(), "cpu",
                new DataSpec("demand", "city", "Lyon", "date", "demand"),
                new ModelSpec("mlp-forecaster", Map.of("lags", 14, "hidden", List.of(32, 16))),
                new TrainingSpec(10, 64, 1e-3, 42, 2), 1, Instant.parse("2026-11-23T10:00:00Z"));
    }

    @Test
    void commandRoundTrips() {
        TrainRun command = command();
        assertThat(Messages.decodeCommand(Messages.encode(command))).isEqualTo(command);
    }

    @Test
    void everyEventKindRoundTripsWithItsRoutingKey() {
        List<RunEvent> events = List.of(
                new RunStarted(REF, "Lyon", 4, 4, 10, null),
                new RunStarted(REF, "Lyon", 0, null, 10, null, command().model(), command().data()),
                new RunProgressed(REF, 5, 10, 0.25, 0.5, 1.5),
                new RunCheckpointed(REF, 6, "checkpoints/e/r/6/", 12345),
                new RunCompleted(REF, "Lyon", 10, Map.of("mae", 1.5, "rmse", 2.0, "mape", 0.1), "models/e/r/"),
                new RunFailed(REF, "dataset 'x' not found"),
                new RunCancelled(REF, 3, "cancelled by request"),
                new RunReleased(REF, 6, RunReleased.DRAIN));
        for (RunEvent event : events) {
            byte[] body = Messages.encode(event);
            String json = new String(body, StandardCharsets.UTF_8);
            assertThat(json).contains("\"type\":\"" + event.routingKey() + "\"").contains("\"schemaVersion\":1");
            assertThat(Messages.decodeEvent(body)).isEqualTo(event);
        }
    }

    @Test
    void aRunStartedWithoutTheRunsSpecAsOlderWritersSentItStillReads() {
        String old = "{\"type\":\"run.started\",\"schemaVersion\":1,\"run\":{\"experimentId\":\""
                + REF.experimentId() + "\",\"runId\":\"" + REF.runId() + "\",\"attempt\":2,\"sequence\":7,"
                + "\"trainer\":\"t\",\"at\":\"2026-11-23T10:00:00Z\"},\"partition\":\"Lyon\",\"startEpoch\":0,"
                + "\"epochs\":10}";
        RunStarted started = (RunStarted) Messages.decodeEvent(old.getBytes(StandardCharsets.UTF_8));
        assertThat(started.partition()).isEqualTo("Lyon");
        assertThat(started.model()).isNull();
        assertThat(started.data()).isNull();
        RunStarted full = new RunStarted(REF, "Lyon", 0, null, 10, null, command().model(), command().data());
        assertThat(new String(Messages.encode(full), StandardCharsets.UTF_8))
                .contains("\"model\":{\"kind\":\"mlp-forecaster\"").contains("\"datasetId\":\"demand\"");
    }

    @Test
    void trainingSettingsOfOlderWritersReadWithDefaultsAndCheckpointsFallDueByEpochsOrSeconds() {
        TrainingSpec timed = new TrainingSpec(10, 64, 1e-3, 42, 5, 60, true);
        TrainRun command = new TrainRun(Messages.SCHEMA_VERSION, UUID.randomUUID(), UUID.randomUUID(), "cpu",
                command().data(), command().model(), timed, 0, Instant.now());
        assertThat(Messages.decodeCommand(Messages.encode(command)).training()).isEqualTo(timed);
        String older = new String(Messages.encode(command()), StandardCharsets.UTF_8)
                .replace(",\"checkpointEverySeconds\":null", "").replace(",\"keepCheckpoints\":null", "");
        assertThat(older).doesNotContain("keepCheckpoints");
        TrainingSpec read = Messages.decodeCommand(older.getBytes(StandardCharsets.UTF_8)).training();
        assertThat(read.keepsCheckpoints()).isFalse();
        assertThat(read.checkpointDue(2, 1e9)).isTrue();
        assertThat(read.checkpointDue(3, 1e9)).isFalse();
        assertThat(timed.keepsCheckpoints()).isTrue();
        assertThat(timed.checkpointDue(3, 59.9)).isFalse();
        assertThat(timed.checkpointDue(3, 60)).isTrue();
        assertThat(timed.checkpointDue(5, 0)).isTrue();
        assertThatThrownBy(() -> new TrainingSpec(10, 64, 1e-3, 42, 5, 0, null))
                .hasMessageContaining("checkpointEverySeconds");
    }

    @Test
    void cancelSignalsRoundTripAndSayWhichRunsTheyCover() {
        UUID experiment = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        CancelRuns one = CancelRuns.of(experiment, List.of(run), "by alice", Instant.parse("2026-11-23T11:00:00Z"));
        assertThat(Messages.decodeControl(Messages.encode(one))).isEqualTo(one);
        assertThat(one.covers(experiment, run)).isTrue();
        assertThat(one.covers(experiment, UUID.randomUUID())).isFalse();
        CancelRuns all = CancelRuns.of(experiment, null, null, Instant.now());
        assertThat(all.covers(experiment, UUID.randomUUID())).isTrue();
        assertThat(all.covers(UUID.randomUUID(), run)).isFalse();
        assertThat(all.reason()).isEqualTo("cancelled");
        assertThatThrownBy(() -> Messages.decodeControl("{\"schemaVersion\":1}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("experimentId");
    }

    @Test
    void attemptsGrowAcrossRedeliveriesAndContinuations() {
        TrainRun command = command();
        assertThat(command.attemptFor(0)).isEqualTo(2);
        assertThat(command.attemptFor(3)).isEqualTo(5);
        assertThat(new RunRef(REF.experimentId(), REF.runId(), 3, 0, "t", REF.at()).isNewerThan(2, 99)).isTrue();
        assertThat(REF.isNewerThan(2, 7)).isFalse();
        assertThat(REF.isNewerThan(2, 6)).isTrue();
    }

    @Test
    void badMessagesSayWhatIsWrong() {
        assertThatThrownBy(() -> Messages.decodeCommand("not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> Messages.decodeCommand("{\"runId\":\"x\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("schemaVersion");
        assertThatThrownBy(() -> Messages.decodeEvent("{\"schemaVersion\":99,\"type\":\"run.failed\"}"
                .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("schemaVersion 99");
        String noTraining = new String(Messages.encode(command()), StandardCharsets.UTF_8)
                .replaceFirst("\"training\":\\{[^}]*\\},", "");
        assertThatThrownBy(() -> Messages.decodeCommand(noTraining.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("training");
        String badEpochs = new String(Messages.encode(command()), StandardCharsets.UTF_8)
                .replace("\"epochs\":10", "\"epochs\":0");
        assertThatThrownBy(() -> Messages.decodeCommand(badEpochs.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("training.epochs");
    }
}
