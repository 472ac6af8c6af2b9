package io.trainyard.scheduler.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.trainyard.contracts.RunCheckpointed;
import io.trainyard.contracts.RunCompleted;
import io.trainyard.contracts.RunFailed;
import io.trainyard.contracts.RunProgressed;
import io.trainyard.contracts.RunRef;
import io.trainyard.contracts.RunStarted;
import io.trainyard.scheduler.testing.Api;
import io.trainyard.scheduler.testing.Broker;
import io.trainyard.storage.testing.S3ProxyResource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Scenarios of run events published as a trainer publishes them. The scheduler consumes its queue in order, so once
 * the effect of an event is visible, every event published before it has been processed too: a stale event is
 * shown to be ignored by publishing a marker after it and checking the state once the marker's effect shows.
 */
@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
class RunEventConsumptionTest {

    private static final Map<String, Double> METRICS = Map.of("mae", 1.5, "rmse", 2.0, "mape", 0.05);

    Broker broker;

    @BeforeEach
    void connect() {
        broker = Broker.connect();
    }

    @AfterEach
    void disconnect() {
        broker.close();
    }

    @AfterAll
    static void cleanUp() {
        Broker.purgeTestPool();
    }

    /** An experiment of {@code cities} runs, all QUEUED; returns its id and its runs in partition order. */
    private record Experiment(UUID id, List<UUID> runs) {
    }

    private static Experiment queuedExperiment(int cities) {
        UUID id = Api.submitted(Api.spec(Api.demoDataset(cities)));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(Api.runs(id))
                .extracting(r -> r.get("state")).containsOnly("QUEUED").hasSize(cities));
        return new Experiment(id, Api.runs(id).stream().map(r -> UUID.fromString((String) r.get("id"))).toList());
    }

    private static RunRef ref(Experiment e, UUID run, int attempt, long sequence) {
        return new RunRef(e.id(), run, attempt, sequence, "trainer-" + attempt, Instant.now());
    }

    /**
     * Long enough for a backlog: scheduler.run-events is bound to every run event on the broker, so events of other
     * services' tests (thousands, during their benchmarks) may be queued ahead of this test's.
     */
    private static final Duration EVENT_WAIT = Duration.ofSeconds(60);

    private static Map<String, Object> awaitRun(Experiment e, UUID run, Predicate<Map<String, Object>> condition) {
        await().atMost(EVENT_WAIT).until(() -> condition.test(Api.run(e.id(), run)));
        return Api.run(e.id(), run);
    }

    @Test
    void eventsMoveARunForwardAndStaleOnesDoNotMoveItBack() {
        Experiment e = queuedExperiment(3);
        UUID a = e.runs().get(0);
        UUID b = e.runs().get(1);
        UUID c = e.runs().get(2);

        // Attempt 2 resumes from the checkpoint at epoch 4 (attempt 1 crashed).
        broker.publish(new RunStarted(ref(e, a, 2, 1), "Amsterdam", 4, 4, 10, null));
        Map<String, Object> run = awaitRun(e, a, r -> "RUNNING".equals(r.get("state")));
        assertThat(run).containsEntry("resumedFromEpoch", 4).containsEntry("epoch", 4).containsEntry("attempts", 2)
                .containsEntry("epochs", 10).containsEntry("trainer", "trainer-2");
        assertThat(run.get("startedAt")).isNotNull();
        assertThat(Api.experiment(e.id()).jsonPath().getString("status")).isEqualTo("running");

        broker.publish(new RunProgressed(ref(e, a, 2, 2), 5, 10, 0.5, 0.6, 0.1));
        awaitRun(e, a, r -> Integer.valueOf(5).equals(r.get("epoch")));

        // Stale: attempt 1's late events; duplicate: the same progress again. Then a marker on another run.
        broker.publish(new RunProgressed(ref(e, a, 1, 40), 9, 10, 0.5, 0.6, 0.1));
        broker.publish(new RunStarted(ref(e, a, 1, 1), "Amsterdam", 0, null, 10, null));
        broker.publish(new RunProgressed(ref(e, a, 2, 2), 5, 10, 0.5, 0.6, 0.1));
        broker.publish(new RunStarted(ref(e, b, 1, 1), "Athens", 0, null, 10, null));
        awaitRun(e, b, r -> "RUNNING".equals(r.get("state")));
        assertThat(Api.run(e.id(), a)).containsEntry("state", "RUNNING").containsEntry("epoch", 5)
                .containsEntry("attempts", 2).containsEntry("resumedFromEpoch", 4).containsEntry("trainer", "trainer-2");

        broker.publish(new RunCheckpointed(ref(e, a, 2, 3), 5, "checkpoints/x/", 100));
        broker.publish(new RunCompleted(ref(e, a, 2, 20), "Amsterdam", 10, METRICS, "models/x/"));
        run = awaitRun(e, a, r -> "SUCCEEDED".equals(r.get("state")));
        assertThat(run).containsEntry("epoch", 10).containsEntry("attempts", 2);
        assertThat(run.get("finishedAt")).isNotNull();

        // Late and re-announced events of a finished run change nothing.
        broker.publish(new RunProgressed(ref(e, a, 3, 1), 1, 10, 0.5, 0.6, 0.1));
        broker.publish(new RunCompleted(ref(e, a, 3, 9), "Amsterdam", 10, METRICS, "models/x/"));
        broker.publish(new RunFailed(ref(e, a, 3, 10), "too late"));
        // Out of order: run b's completion arrives before an older progress event; completion wins.
        broker.publish(new RunCompleted(ref(e, b, 1, 30), "Athens", 10, METRICS, "models/y/"));
        broker.publish(new RunProgressed(ref(e, b, 1, 2), 1, 10, 0.5, 0.6, 0.1));
        broker.publish(new RunProgressed(ref(e, c, 1, 2), 3, 10, 0.5, 0.6, 0.1));
        awaitRun(e, c, r -> Integer.valueOf(3).equals(r.get("epoch")));
        assertThat(Api.run(e.id(), a)).containsEntry("state", "SUCCEEDED").containsEntry("epoch", 10)
                .containsEntry("attempts", 2).containsEntry("reason", null);
        assertThat(Api.run(e.id(), b)).containsEntry("state", "SUCCEEDED").containsEntry("epoch", 10);
        assertThat(Api.run(e.id(), c)).containsEntry("state", "RUNNING").containsEntry("attempts", 1);

        Response experiment = Api.experiment(e.id());
        assertThat(experiment.jsonPath().getString("status")).isEqualTo("running");
        assertThat(experiment.jsonPath().getMap("counts")).containsEntry("succeeded", 2).containsEntry("running", 1);
        assertThat(experiment.jsonPath().getString("finishedAt")).isNull();

        broker.publish(new RunCompleted(ref(e, c, 1, 3), "Auckland", 10, METRICS, "models/z/"));
        await().atMost(EVENT_WAIT).until(() -> "succeeded".equals(
                Api.experiment(e.id()).jsonPath().getString("status")));
        experiment = Api.experiment(e.id());
        assertThat(experiment.jsonPath().getMap("counts")).containsEntry("succeeded", 3).containsEntry("queued", 0)
                .containsEntry("running", 0);
        assertThat(experiment.jsonPath().getString("startedAt")).isNotNull();
        assertThat(experiment.jsonPath().getString("finishedAt")).isNotNull();
    }

    @Test
    void aFailedRunStaysFailedAndMakesTheExperimentPartiallyFailed() {
        Experiment e = queuedExperiment(2);
        UUID x = e.runs().get(0);
        UUID y = e.runs().get(1);

        broker.publish(new RunStarted(ref(e, x, 1, 1), "Amsterdam", 0, null, 10, null));
        broker.publish(new RunFailed(ref(e, x, 1, 2), "column 'demand' has no numbers"));
        broker.publish(new RunCompleted(ref(e, x, 2, 5), "Amsterdam", 10, METRICS, "models/x/"));
        broker.publish(new RunCompleted(ref(e, y, 1, 12), "Athens", 10, METRICS, "models/y/"));

        await().atMost(EVENT_WAIT).until(() -> "partially_failed".equals(
                Api.experiment(e.id()).jsonPath().getString("status")));
        assertThat(Api.run(e.id(), x)).containsEntry("state", "FAILED")
                .containsEntry("reason", "column 'demand' has no numbers");
        assertThat(Api.run(e.id(), y)).containsEntry("state", "SUCCEEDED");
        assertThat(Api.experiment(e.id()).jsonPath().getMap("counts")).containsEntry("failed", 1)
                .containsEntry("succeeded", 1);
    }

    @Test
    void undecodableAndUnknownEventsAreDroppedAndConsumptionGoesOn() {
        Experiment e = queuedExperiment(1);
        UUID run = e.runs().getFirst();

        broker.publishRaw("run.progress", "not json".getBytes(StandardCharsets.UTF_8));
        broker.publishRaw("run.progress", "{\"schemaVersion\": 99, \"type\": \"run.progress\"}"
                .getBytes(StandardCharsets.UTF_8));
        broker.publishRaw("run.started", "{\"schemaVersion\": 1, \"type\": \"run.started\"}"
                .getBytes(StandardCharsets.UTF_8));
        broker.publish(new RunStarted(new RunRef(UUID.randomUUID(), UUID.randomUUID(), 1, 1, "elsewhere",
                Instant.now()), null, 0, null, 10, null));
        // An event naming the run under another experiment is not applied either.
        broker.publish(new RunFailed(new RunRef(UUID.randomUUID(), run, 5, 1, "elsewhere", Instant.now()), "no"));
        broker.publish(new RunStarted(ref(e, run, 1, 1), "Amsterdam", 0, null, 10, null));

        Map<String, Object> started = awaitRun(e, run, r -> "RUNNING".equals(r.get("state")));
        assertThat(started).containsEntry("attempts", 1).containsEntry("reason", null);
        assertThat(started.get("resumedFromEpoch")).isNull();
    }
}
