package io.trainyard.scheduler.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.trainyard.contracts.CancelRuns;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.RunCancelled;
import io.trainyard.contracts.RunCompleted;
import io.trainyard.contracts.RunProgressed;
import io.trainyard.contracts.RunRef;
import io.trainyard.contracts.RunReleased;
import io.trainyard.contracts.RunStarted;
import io.trainyard.scheduler.testing.Api;
import io.trainyard.scheduler.testing.Broker;
import io.trainyard.scheduler.testing.Problems;
import io.trainyard.storage.Cancellations;
import io.trainyard.storage.testing.S3ProxyResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Cancelling experiments and runs, and the attempts history the run events build. */
@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
class ExperimentCancelTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    Cancellations cancellations;

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

    private static List<UUID> queuedRuns(UUID experiment, int count) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(Api.runs(experiment))
                .extracting(r -> r.get("state")).containsOnly("QUEUED").hasSize(count));
        return Api.runs(experiment).stream().map(r -> UUID.fromString((String) r.get("id"))).toList();
    }

    private static RunRef ref(UUID experiment, UUID run, int attempt, long sequence) {
        return new RunRef(experiment, run, attempt, sequence, "trainer-" + attempt, Instant.now());
    }

    @Test
    void cancellingAnExperimentStopsEveryUnfinishedRunAndSignalsTheTrainers() {
        UUID experiment = Api.submitted(Api.spec(Api.demoDataset(3)));
        List<UUID> runs = queuedRuns(experiment, 3);
        UUID running = runs.get(0);
        UUID finished = runs.get(1);
        UUID queued = runs.get(2);
        broker.publish(new RunStarted(ref(experiment, running, 1, 1), "Amsterdam", 0, null, 10, null));
        broker.publish(new RunCompleted(ref(experiment, finished, 1, 9), "Athens", 10, Map.of("mae", 1.0),
                "models/x/"));
        await().atMost(WAIT).until(() -> "RUNNING".equals(Api.run(experiment, running).get("state"))
                && "SUCCEEDED".equals(Api.run(experiment, finished).get("state")));
        List<Broker.Delivery> signals = broker.observeControl();

        given().contentType(ContentType.JSON).body(Map.of("reason", "wrong dataset"))
                .post("/experiments/" + experiment + "/cancel")
                .then().statusCode(202)
                .body("status", org.hamcrest.Matchers.equalTo("cancelled"))
                .body("counts.cancelled", org.hamcrest.Matchers.equalTo(2))
                .body("counts.succeeded", org.hamcrest.Matchers.equalTo(1));

        assertThat(Api.run(experiment, running)).containsEntry("state", "CANCELLED")
                .containsEntry("reason", "cancelled: wrong dataset");
        assertThat(Api.run(experiment, queued)).containsEntry("state", "CANCELLED");
        assertThat(Api.run(experiment, finished)).containsEntry("state", "SUCCEEDED");
        assertThat(cancellations.isCancelled(experiment, queued)).isTrue();
        assertThat(cancellations.isCancelled(UUID.randomUUID(), queued)).isFalse();
        await().atMost(WAIT).until(() -> !signals.isEmpty());
        CancelRuns signal = Messages.decodeControl(signals.getFirst().body());
        assertThat(signal.experimentId()).isEqualTo(experiment);
        assertThat(signal.runIds()).isEmpty();
        assertThat(signal.reason()).isEqualTo("cancelled: wrong dataset");

        // Twice is fine, and signals again; the trainer's own report and a late progress change nothing.
        given().contentType(ContentType.JSON).post("/experiments/" + experiment + "/cancel")
                .then().statusCode(202).body("status", org.hamcrest.Matchers.equalTo("cancelled"));
        await().atMost(WAIT).until(() -> signals.size() == 2);
        broker.publish(new RunProgressed(ref(experiment, running, 1, 2), 3, 10, 0.5, 0.5, 0.1));
        broker.publish(new RunCancelled(ref(experiment, running, 1, 3), 3, "cancelled: wrong dataset"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(history(experiment, running))
                .extracting(a -> a.get("outcome")).containsExactly("CANCELLED"));
        assertThat(Api.run(experiment, running)).containsEntry("state", "CANCELLED")
                .containsEntry("reason", "cancelled: wrong dataset");
        assertThat(Api.experiment(experiment).jsonPath().getString("finishedAt")).isNotNull();
        assertThat(Api.experiment(experiment).jsonPath().getFloat("elapsedSeconds")).isGreaterThanOrEqualTo(0f);
    }

    @Test
    void cancellingOneRunLeavesTheOthersAndACompletionOnItsWayStillWins() {
        UUID experiment = Api.submitted(Api.spec(Api.demoDataset(2)));
        List<UUID> runs = queuedRuns(experiment, 2);

        given().contentType(ContentType.JSON).post("/experiments/" + experiment + "/runs/" + runs.get(0) + "/cancel")
                .then().statusCode(202).body("counts.cancelled", org.hamcrest.Matchers.equalTo(1))
                .body("counts.queued", org.hamcrest.Matchers.equalTo(1))
                .body("status", org.hamcrest.Matchers.equalTo("queued"));
        assertThat(cancellations.isCancelled(experiment, runs.get(0))).isTrue();
        assertThat(cancellations.isCancelled(experiment, runs.get(1))).isFalse();
        assertThat(Api.run(experiment, runs.get(1))).containsEntry("state", "QUEUED");

        // The trainer finished just before the cancel reached it: the model exists, so the run succeeded.
        broker.publish(new RunCompleted(ref(experiment, runs.get(0), 1, 9), "Amsterdam", 10, Map.of("mae", 1.0),
                "models/x/"));
        await().atMost(WAIT).until(() -> "SUCCEEDED".equals(Api.run(experiment, runs.get(0)).get("state")));
        assertThat(Api.run(experiment, runs.get(0))).containsEntry("reason", null);
    }

    @Test
    void cancelOfWhatDoesNotExistIsANotFoundProblem() {
        UUID experiment = Api.submitted(Api.spec(Api.demoDataset(1)));
        UUID other = Api.submitted(Api.spec(Api.demoDataset(1)));
        UUID otherRun = queuedRuns(other, 1).getFirst();

        Problems.assertProblem(given().contentType(ContentType.JSON).post("/experiments/" + UUID.randomUUID()
                + "/cancel"), 404);
        Problems.assertProblem(given().contentType(ContentType.JSON).post("/experiments/" + experiment + "/runs/"
                + otherRun + "/cancel"), 404);
        Problems.assertProblem(given().contentType(ContentType.JSON).post("/experiments/not-an-id/cancel"), 400);
        Problems.assertProblem(given().contentType(ContentType.JSON).body(Map.of("reason", "x".repeat(501)))
                .post("/experiments/" + experiment + "/cancel"), 400);
        assertThat(Api.run(other, otherRun)).containsEntry("state", "QUEUED");
    }

    @Test
    void eachRunShowsItsAttemptsAndHowTheyEnded() {
        UUID experiment = Api.submitted(Api.spec(Api.demoDataset(1)));
        UUID run = queuedRuns(experiment, 1).getFirst();

        broker.publish(new RunStarted(ref(experiment, run, 1, 0), "Amsterdam", 0, null, 10, null));
        broker.publish(new RunProgressed(ref(experiment, run, 1, 1), 2, 10, 0.5, 0.5, 0.1));
        // Attempt 1 was killed; attempt 2 resumes at 2 and is drained at 5; attempt 3 finishes.
        broker.publish(new RunStarted(ref(experiment, run, 2, 0), "Amsterdam", 2, 2, 10, null));
        broker.publish(new RunReleased(ref(experiment, run, 2, 3), 5, RunReleased.DRAIN));
        broker.publish(new RunStarted(ref(experiment, run, 3, 0), "Amsterdam", 5, 5, 10, null));
        broker.publish(new RunCompleted(ref(experiment, run, 3, 6), "Amsterdam", 10, Map.of("mae", 1.0),
                "models/x/"));
        await().atMost(WAIT).until(() -> "SUCCEEDED".equals(Api.run(experiment, run).get("state")));

        List<Map<String, Object>> history = history(experiment, run);
        assertThat(history).extracting(a -> a.get("attempt")).containsExactly(1, 2, 3);
        assertThat(history).extracting(a -> a.get("outcome"))
                .containsExactly("INTERRUPTED", "RELEASED", "SUCCEEDED");
        assertThat(history).extracting(a -> a.get("trainer")).containsExactly("trainer-1", "trainer-2", "trainer-3");
        assertThat(history).extracting(a -> a.get("startEpoch")).containsExactly(0, 2, 5);
        assertThat(history).extracting(a -> a.get("lastEpoch")).containsExactly(2, 5, 10);
        assertThat(history.get(1)).containsEntry("detail", "drain").containsEntry("resumedFromEpoch", 2);
        assertThat(history).allSatisfy(a -> assertThat(a.get("endedAt")).isNotNull());
        // The listing carries the same history.
        assertThat((List<?>) Api.run(experiment, run).get("history")).hasSize(3);
    }

    private static List<Map<String, Object>> history(UUID experiment, UUID run) {
        return given().get("/experiments/" + experiment + "/runs/" + run).then().statusCode(200).extract()
                .jsonPath().getList("history");
    }
}
