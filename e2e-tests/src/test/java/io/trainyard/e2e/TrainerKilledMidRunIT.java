package io.trainyard.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.trainyard.contracts.RunCheckpointed;
import io.trainyard.contracts.RunCompleted;
import io.trainyard.contracts.RunProgressed;
import io.trainyard.contracts.RunStarted;
import io.trainyard.storage.testing.S3ProxyServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The product's promise end to end, with every service a separate process. An experiment of three cities: the
 * trainer running one of them is killed with SIGKILL after its first checkpoint, a second trainer resumes that run
 * from the checkpoint (not from epoch 0), and every run succeeds with its result recorded once. And a trainer
 * stopped with SIGTERM checkpoints at a batch boundary and hands its run back as a fresh command.
 */
class TrainerKilledMidRunIT {

    /** A pool of its own, so no other test's commands reach these trainers. */
    static final String POOL = "e2e";
    static final Duration STARTUP = Duration.ofSeconds(120);

    static S3ProxyServer s3;
    static EventProbe events;
    static ServiceProcess scheduler;
    static ServiceProcess results;
    static final List<ServiceProcess> trainers = new java.util.concurrent.CopyOnWriteArrayList<>();

    static Map<String, String> common(String database) {
        Map<String, String> p = new HashMap<>();
        p.put("trainyard.s3.endpoint", s3.endpoint());
        p.put("trainyard.s3.access-key", S3ProxyServer.ACCESS_KEY);
        p.put("trainyard.s3.secret-key", S3ProxyServer.SECRET_KEY);
        p.put("trainyard.s3.bucket", "e2e");
        if (database != null) {
            p.put("quarkus.datasource.reactive.url", "postgresql://127.0.0.1:5432/" + database);
            p.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/" + database);
        }
        return p;
    }

    static final AtomicInteger TRAINER_NUMBERS = new AtomicInteger();

    static ServiceProcess startTrainer() throws Exception {
        int n = TRAINER_NUMBERS.incrementAndGet();
        Map<String, String> p = common(null);
        p.put("trainyard.trainer.pool", POOL);
        p.put("trainyard.trainer.id", "e2e-trainer-" + n);
        ServiceProcess trainer = ServiceProcess.start("trainer-" + n, "trainer-service", p);
        trainers.add(trainer);
        return trainer.awaitReady(STARTUP);
    }

    @BeforeAll
    static void startStack() throws Exception {
        s3 = S3ProxyServer.start();
        events = new EventProbe();
        Map<String, String> schedulerProperties = common("trainyard_scheduler_e2e");
        schedulerProperties.put("trainyard.scheduler.pools", "cpu," + POOL);
        scheduler = ServiceProcess.start("scheduler", "scheduler-service", schedulerProperties);
        results = ServiceProcess.start("results", "results-service", common("trainyard_results_e2e"));
        scheduler.awaitReady(STARTUP);
        results.awaitReady(STARTUP);
    }

    @AfterAll
    static void stopStack() throws Exception {
        for (ServiceProcess p : trainers) {
            p.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {results, scheduler, events, s3}) {
            if (c != null) {
                c.close();
            }
        }
    }

    /** Each test starts with no trainer, so it knows which one takes its runs. */
    @BeforeEach
    void noTrainers() throws Exception {
        for (ServiceProcess p : trainers) {
            p.close();
        }
        trainers.clear();
    }

    /** Generates a dataset of {@code cities} cities and submits a slow experiment on it; returns its location. */
    static String submit(String name, int cities, int checkpointEvery) {
        String dataset = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
        given().baseUri(scheduler.url()).contentType(ContentType.JSON)
                .body(Map.of("id", dataset, "cities", cities, "days", 1095, "seed", 5))
                .post("/datasets/demo").then().statusCode(201);
        // Slow enough per epoch (wide layers, small batches) that a kill or a SIGTERM lands mid-run.
        Map<String, Object> spec = Map.of(
                "name", name,
                "dataset", dataset,
                "partitionBy", "city",
                "model", Map.of("kind", "mlp-forecaster", "hyperparameters",
                        Map.of("lags", 28, "hidden", List.of(256, 256))),
                "training", Map.of("epochs", 30, "batchSize", 8, "learningRate", 0.001, "seed", 42,
                        "checkpointEvery", checkpointEvery),
                "resources", Map.of("pool", POOL));
        return given().baseUri(scheduler.url()).contentType(ContentType.JSON).body(spec)
                .post("/experiments").then().statusCode(201).extract().header("Location");
    }

    static UUID idOf(String location) {
        return UUID.fromString(location.substring(location.lastIndexOf('/') + 1));
    }

    static void awaitSucceeded(String location) {
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() -> "succeeded".equals(
                given().baseUri(scheduler.url()).get(location).then().statusCode(200).extract().path("status")));
    }

    @Test
    void aRunWhoseTrainerIsKilledResumesFromItsCheckpointOnAnotherTrainer() throws Exception {
        ServiceProcess first = startTrainer();
        String location = submit("e2e-kill", 3, 2);
        UUID experiment = idOf(location);

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
                .until(() -> !events.of(experiment, RunCheckpointed.class).isEmpty());
        first.kill();
        RunCheckpointed lastSeen = events.of(experiment, RunCheckpointed.class).getLast();
        UUID killedRun = lastSeen.run().runId();
        int checkpointEpoch = events.of(experiment, RunCheckpointed.class).stream()
                .filter(e -> e.run().runId().equals(killedRun)).mapToInt(RunCheckpointed::epoch).max().orElseThrow();
        assertThat(events.of(experiment, RunCompleted.class)).extracting(e -> e.run().runId())
                .as("the killed run had not finished").doesNotContain(killedRun);

        ServiceProcess second = startTrainer();

        awaitSucceeded(location);

        List<RunStarted> restarts = events.of(experiment, RunStarted.class).stream()
                .filter(e -> e.run().runId().equals(killedRun) && e.run().attempt() > 1).toList();
        assertThat(restarts).as("the killed run was redelivered").isNotEmpty();
        assertThat(restarts.get(0).run().trainer()).isEqualTo(second.name.replace("trainer-", "e2e-trainer-"));
        assertThat(restarts.get(0).resumedFromEpoch()).as("resumed from its checkpoint, not from epoch 0")
                .isNotNull().isGreaterThanOrEqualTo(checkpointEpoch);

        JsonPath runs = given().baseUri(scheduler.url()).get(location + "/runs").then().statusCode(200)
                .extract().jsonPath();
        assertThat(runs.getList("state", String.class)).containsOnly("SUCCEEDED").hasSize(3);
        assertThat(runs.getList("partition", String.class)).doesNotHaveDuplicates().hasSize(3);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonPath recorded = given().baseUri(results.url()).get("/experiments/" + experiment + "/results")
                    .then().statusCode(200).extract().jsonPath();
            assertThat(recorded.getList("runs.runId", String.class)).as("each result recorded once")
                    .hasSize(3).doesNotHaveDuplicates();
            assertThat(recorded.getInt("aggregate.count")).isEqualTo(3);
        });
    }

    @Test
    void aTrainerStoppedWithSigtermCheckpointsAndHandsItsRunBack() throws Exception {
        ServiceProcess first = startTrainer();
        // No periodic checkpoint in this run: whatever it resumes from, the drain wrote.
        String location = submit("e2e-drain", 1, 1000);
        UUID experiment = idOf(location);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
                .until(() -> events.of(experiment, RunProgressed.class).stream().anyMatch(p -> p.epoch() >= 2));
        int reached = events.of(experiment, RunProgressed.class).stream().mapToInt(RunProgressed::epoch).max()
                .orElseThrow();

        Duration exit = first.terminate(Duration.ofSeconds(90));

        List<RunCheckpointed> drained = events.of(experiment, RunCheckpointed.class);
        assertThat(drained).as("the drain checkpointed the run").hasSize(1);
        assertThat(drained.get(0).epoch()).isGreaterThanOrEqualTo(reached);
        assertThat(events.of(experiment, RunCompleted.class)).as("the run was not finished").isEmpty();
        assertThat(first.tail()).contains("handed back").contains("drained");

        ServiceProcess second = startTrainer();
        awaitSucceeded(location);
        List<RunStarted> starts = events.of(experiment, RunStarted.class);
        // Attempt 2 or later: while draining, the trainer may receive its own continuation and hand it back
        // untouched again until its connection closes (see CommandListener).
        assertThat(starts).hasSize(2);
        assertThat(starts.get(1).run().attempt()).isGreaterThan(1);
        assertThat(starts.get(1).resumedFromEpoch()).isEqualTo(drained.get(0).epoch());
        assertThat(starts.get(1).run().trainer()).isEqualTo(second.name.replace("trainer-", "e2e-trainer-"));
        System.out.printf("drain: SIGTERM at epoch %d, process exited in %d ms, resumed from epoch %d%n", reached,
                exit.toMillis(), starts.get(1).resumedFromEpoch());
    }
}
