package io.trainyard.results;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.RunEvent;
import io.trainyard.contracts.RunCancelled;
import io.trainyard.contracts.RunFailed;
import io.trainyard.contracts.RunProgressed;
import io.trainyard.contracts.RunRef;
import io.trainyard.contracts.RunReleased;
import io.trainyard.contracts.RunStarted;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.DoubleStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Scenarios against the real broker and database: events in, results out. */
@QuarkusTest
class RunEventIngestionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Inject
    Pool database;

    private EventBroker broker;

    @BeforeEach
    void connect() throws Exception {
        broker = new EventBroker();
    }

    @AfterEach
    void disconnect() throws Exception {
        broker.close();
    }

    @Test
    void aCompletionDeliveredTwiceAndReAnnouncedCountsOnce() throws Exception {
        UUID experiment = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        RunEvent completed = Events.completed(experiment, run, 1, "city-1", Events.metrics(1.25, 2.5, 0.125));

        broker.publish(Events.started(experiment, run, "city-1"));
        broker.publish(Events.progressed(experiment, run, 1));
        broker.publish(completed);
        broker.publish(completed);
        // a later attempt found the model stored and announced the completion again, with other numbers
        RunEvent reAnnounced = Events.completed(experiment, run, 2, "city-1", Events.metrics(9.0, 9.0, 9.0));
        broker.publish(reAnnounced);

        // events are consumed in order: once the re-announcement is stored, the duplicate before it was handled
        await().atMost(PATIENCE).until(() -> count("select count(*) from run_event where run_id = $1", run) == 4);

        assertThat(count("select count(*) from run_result where run_id = $1", run)).isEqualTo(1);
        assertThat(count("select count(*) from run_metric where run_id = $1", run)).isEqualTo(3);
        JsonNode body = results(experiment);
        assertThat(body.get("runs")).hasSize(1);
        JsonNode result = body.get("runs").get(0);
        assertThat(result.get("runId").asText()).isEqualTo(run.toString());
        assertThat(result.get("partition").asText()).isEqualTo("city-1");
        assertThat(result.get("attempt").asInt()).isEqualTo(1);
        assertThat(result.get("metrics").get("mae").asDouble()).isEqualTo(1.25);
        assertThat(result.get("modelLocation").asText()).isEqualTo("models/" + experiment + "/" + run + "/");
        assertThat(result.get("completedAt").asText()).isNotBlank();
        assertThat(body.get("aggregate").get("count").asLong()).isEqualTo(1);
        JsonNode mae = body.get("aggregate").get("metrics").get("mae");
        assertThat(mae.get("count").asLong()).isEqualTo(1);
        assertThat(mae.get("mean").asDouble()).isEqualTo(1.25);
        assertThat(body.get("failed")).isEmpty();
        assertThat(status(run)).isEqualTo("SUCCEEDED");
    }

    @Test
    void aggregatesAreComputedOverTheCompletedRuns() throws Exception {
        UUID experiment = UUID.randomUUID();
        List<UUID> runs = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        double[][] values = {{3.5, 4.25, 0.11}, {1.75, 2.0, 0.07}, {2.125, 3.0, 0.2}};
        String[] partitions = {"city-a", "city-b", null};
        for (int i = 0; i < runs.size(); i++) {
            broker.publish(Events.started(experiment, runs.get(i), partitions[i]));
            broker.publish(Events.completed(experiment, runs.get(i), 1, partitions[i],
                    Events.metrics(values[i][0], values[i][1], values[i][2])));
        }
        UUID failedRun = UUID.randomUUID();
        broker.publish(Events.started(experiment, failedRun, "city-c"));
        broker.publish(Events.failed(experiment, failedRun, "dataset has no rows for city-c"));

        JsonNode body = await().atMost(PATIENCE).until(() -> results(experiment),
                b -> b.get("runs").size() == 3 && b.get("failed").size() == 1);

        JsonNode aggregate = body.get("aggregate");
        assertThat(aggregate.get("count").asLong()).isEqualTo(3);
        String[] names = {"mae", "rmse", "mape"};
        for (int m = 0; m < names.length; m++) {
            int metric = m;
            double[] column = DoubleStream.of(values[0][metric], values[1][metric], values[2][metric]).toArray();
            JsonNode summary = aggregate.get("metrics").get(names[m]);
            assertThat(summary.get("mean").asDouble())
                    .isCloseTo(DoubleStream.of(column).average().orElseThrow(), within(1e-12));
            assertThat(summary.get("min").asDouble()).isEqualTo(DoubleStream.of(column).min().orElseThrow());
            assertThat(summary.get("max").asDouble()).isEqualTo(DoubleStream.of(column).max().orElseThrow());
            assertThat(summary.get("count").asLong()).isEqualTo(3);
        }
        List<String> ids = StreamSupport.stream(body.get("runs").spliterator(), false)
                .map(r -> r.get("runId").asText()).toList();
        assertThat(ids).containsExactlyInAnyOrderElementsOf(runs.stream().map(UUID::toString).toList());
        assertThat(body.get("failed").get(0).get("runId").asText()).isEqualTo(failedRun.toString());
        assertThat(body.get("failed").get(0).get("reason").asText()).isEqualTo("dataset has no rows for city-c");
        assertThat(status(failedRun)).isEqualTo("FAILED");
    }

    @Test
    void lateEventsOfAStaleAttemptDoNotMoveTheRunBack() throws Exception {
        UUID experiment = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        Instant at = Instant.now();
        // published back to back, so they are likely stored in one batch: its effects must still be sequential
        broker.publish(new RunStarted(new RunRef(experiment, run, 2, 1, "trainer-b", at), "city-9", 1, 1, 3, null));
        broker.publish(new RunProgressed(new RunRef(experiment, run, 2, 2, "trainer-b", at), 2, 3, 0.5, 0.6, 1.0));
        // the first attempt's trainer was presumed dead but still reports, later and with a higher sequence
        broker.publish(new RunProgressed(new RunRef(experiment, run, 1, 9, "trainer-a", at), 3, 3, 0.4, 0.5, 1.0));
        await().atMost(PATIENCE).until(() -> count("select count(*) from run_event where run_id = $1", run) == 3);
        assertThat(statusRow(run)).isEqualTo("RUNNING/2/2");

        broker.publish(Events.completed(experiment, run, 2, "city-9", Events.metrics(1.0, 2.0, 3.0)));
        broker.publish(new RunFailed(new RunRef(experiment, run, 1, 10, "trainer-a", at), "late failure"));
        broker.publish(new RunProgressed(new RunRef(experiment, run, 3, 1, "trainer-c", at), 1, 3, 0.9, 0.9, 1.0));
        await().atMost(PATIENCE).until(() -> count("select count(*) from run_event where run_id = $1", run) == 6);
        // SUCCEEDED is final: neither the stale failure nor a newer attempt's progress moves it
        assertThat(statusRow(run)).isEqualTo("SUCCEEDED/2/3");
        assertThat(count("select count(*) from run_result where run_id = $1", run)).isEqualTo(1);
    }

    @Test
    void aCancelledRunStaysCancelledUnlessItsCompletionWasOnTheWay() throws Exception {
        UUID experiment = UUID.randomUUID();
        UUID cancelled = UUID.randomUUID();
        UUID completedAnyway = UUID.randomUUID();
        Instant at = Instant.now();
        broker.publish(Events.started(experiment, cancelled, "city-1"));
        broker.publish(new RunReleased(new RunRef(experiment, cancelled, 1, 2, "trainer-a", at), 1,
                RunReleased.SEGMENT));
        broker.publish(new RunCancelled(new RunRef(experiment, cancelled, 1, 3, "trainer-a", at), 1, "by test"));
        // Late progress of a newer attempt does not bring it back.
        broker.publish(new RunProgressed(new RunRef(experiment, cancelled, 2, 1, "trainer-b", at), 2, 3, 0.9, 0.9,
                1.0));
        broker.publish(Events.started(experiment, completedAnyway, "city-2"));
        broker.publish(new RunCancelled(new RunRef(experiment, completedAnyway, 1, 5, "trainer-c", at), 2, "by test"));
        broker.publish(Events.completed(experiment, completedAnyway, 1, "city-2", Events.metrics(1.0, 2.0, 3.0)));
        await().atMost(PATIENCE).until(() -> count("select count(*) from run_event where experiment_id = $1",
                experiment) == 7);
        assertThat(statusRow(cancelled)).isEqualTo("CANCELLED/1/1");
        assertThat(statusRow(completedAnyway)).startsWith("SUCCEEDED/");
        assertThat(count("select count(*) from run_result where run_id = $1", cancelled)).isZero();
    }

    @Test
    void aMalformedMessageDoesNotStopTheConsumer() throws Exception {
        UUID experiment = UUID.randomUUID();
        UUID run = UUID.randomUUID();

        broker.publish(RunEvent.COMPLETED, "this is not JSON".getBytes(StandardCharsets.UTF_8));
        broker.publish(RunEvent.COMPLETED, "{\"type\":\"run.completed\"}".getBytes(StandardCharsets.UTF_8));
        broker.publish(RunEvent.STARTED, new byte[0]);
        broker.publish(Events.completed(experiment, run, 1, "city-x", Events.metrics(1.0, 2.0, 3.0)));

        JsonNode body = await().atMost(PATIENCE).until(() -> results(experiment), b -> b.get("runs").size() == 1);
        assertThat(body.get("runs").get(0).get("runId").asText()).isEqualTo(run.toString());
    }

    @Test
    void aBurstIsStoredInBatchesAndItsBadMessagesAloneAreRejected() throws Exception {
        UUID experiment = UUID.randomUUID();
        List<Map.Entry<String, byte[]>> burst = new ArrayList<>();
        int events = 0;
        for (int run = 0; run < 40; run++) {
            UUID runId = UUID.randomUUID();
            for (int epoch = 1; epoch <= Events.EPOCHS; epoch++) {
                RunEvent progressed = Events.progressed(experiment, runId, epoch);
                burst.add(Map.entry(progressed.routingKey(), Messages.encode(progressed)));
                events++;
                if (epoch == 2) {
                    // delivered again at once, as after a lost ack: stored once
                    burst.add(Map.entry(progressed.routingKey(), Messages.encode(progressed)));
                }
            }
            if (run % 7 == 3) {
                burst.add(Map.entry(RunEvent.PROGRESS, "{\"broken\": ".getBytes(StandardCharsets.UTF_8)));
            }
        }
        broker.publishBurst(burst);

        int expected = events;
        await().atMost(PATIENCE).until(() -> count("select count(*) from run_event where experiment_id = $1",
                experiment) == expected);
        assertThat(count("select count(*) from run_progress where experiment_id = $1", experiment))
                .isEqualTo(expected);
        assertThat(count("select count(*) from run_status where experiment_id = $1 and status = 'RUNNING' "
                + "and epoch = " + Events.EPOCHS, experiment)).isEqualTo(40);
        // the bad messages were settled on their own: the consumer still takes (and acks) what comes next
        UUID after = UUID.randomUUID();
        broker.publish(Events.completed(experiment, after, 1, "city-z", Events.metrics(1.0, 2.0, 3.0)));
        await().atMost(PATIENCE).until(() -> count("select count(*) from run_result where run_id = $1", after) == 1);
    }

    @Test
    void wholeRunsInterleavedAcrossOverlappingBatchesAreStoredOnceWithoutRetries() throws Exception {
        // 800 runs, each started, 3 epochs and completed, published round-robin: every batch holds several status
        // changes of many runs (upserted in rounds), and two batches are in the database at once (pipeline 2). Two
        // such batches once could each hold a run the other waited for; now neither may fail, nor need a retry.
        UUID experiment = UUID.randomUUID();
        List<UUID> runs = new ArrayList<>();
        for (int run = 0; run < 800; run++) {
            runs.add(UUID.randomUUID());
        }
        List<Map.Entry<String, byte[]>> burst = new ArrayList<>();
        for (int step = 0; step < Events.EPOCHS + 2; step++) {
            for (UUID run : runs) {
                RunEvent event = step == 0 ? Events.started(experiment, run, "city-" + run)
                        : step <= Events.EPOCHS ? Events.progressed(experiment, run, step)
                        : Events.completed(experiment, run, 1, "city-" + run, Events.metrics(1.0, 2.0, 3.0));
                burst.add(Map.entry(event.routingKey(), Messages.encode(event)));
            }
        }
        double requeuedBefore = metric("trainyard_events_requeued_total");
        double batchesBefore = metric("trainyard_ingest_batch_size_events_count");
        broker.publishBurst(burst);

        await().atMost(PATIENCE).until(() -> count("select count(*) from run_result where experiment_id = $1",
                experiment) == runs.size());
        assertThat(count("select count(*) from run_event where experiment_id = $1", experiment))
                .isEqualTo(burst.size());
        assertThat(count("select count(*) from run_progress where experiment_id = $1", experiment))
                .isEqualTo(runs.size() * Events.EPOCHS);
        assertThat(count("select count(*) from run_status where experiment_id = $1 and status = 'SUCCEEDED' "
                + "and epoch = " + Events.EPOCHS, experiment)).isEqualTo(runs.size());
        assertThat(metric("trainyard_events_requeued_total") - requeuedBefore).as("batches requeued").isZero();
        assertThat(metric("trainyard_ingest_batch_size_events_count") - batchesBefore).as("batches")
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void aBatchOfStoredAndNewEventsStoresOnlyTheNewOnes() throws Exception {
        UUID experiment = UUID.randomUUID();
        List<UUID> runs = new ArrayList<>();
        List<Map.Entry<String, byte[]>> first = new ArrayList<>();
        for (int run = 0; run < 30; run++) {
            runs.add(UUID.randomUUID());
            for (int epoch = 1; epoch <= 2; epoch++) {
                RunEvent progressed = Events.progressed(experiment, runs.getLast(), epoch);
                first.add(Map.entry(progressed.routingKey(), Messages.encode(progressed)));
            }
        }
        broker.publishBurst(first);
        await().atMost(PATIENCE).until(() -> count("select count(*) from run_event where experiment_id = $1",
                experiment) == 60);
        double duplicatesBefore = duplicates();

        // everything again (a republishing trainer), each run's next epoch among it
        List<Map.Entry<String, byte[]>> again = new ArrayList<>();
        for (int run = 0; run < runs.size(); run++) {
            again.add(first.get(2 * run));
            again.add(first.get(2 * run + 1));
            RunEvent progressed = Events.progressed(experiment, runs.get(run), 3);
            again.add(Map.entry(progressed.routingKey(), Messages.encode(progressed)));
        }
        broker.publishBurst(again);
        await().atMost(PATIENCE).until(() -> count("select count(*) from run_event where experiment_id = $1",
                experiment) == 90);
        await().atMost(PATIENCE).until(() -> duplicates() - duplicatesBefore >= 60);
        assertThat(duplicates() - duplicatesBefore).isEqualTo(60);
        assertThat(count("select count(*) from run_progress where experiment_id = $1", experiment)).isEqualTo(90);
        assertThat(count("select count(*) from run_status where experiment_id = $1 and epoch = 3", experiment))
                .isEqualTo(30);
    }

    @Test
    void anEventTheDatabaseRefusesIsRejectedAndTheConsumerGoesOn() throws Exception {
        UUID experiment = UUID.randomUUID();
        UUID refusedRun = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        // valid JSON and a valid event, but PostgreSQL text cannot hold a NUL character: retrying would never help
        RunRef nul = new RunRef(experiment, refusedRun, 1, 1, "trainer\u0000zero", Instant.now());
        broker.publish(new RunFailed(nul, "unused"));
        broker.publish(Events.completed(experiment, run, 1, "city-y", Events.metrics(1.0, 2.0, 3.0)));

        JsonNode body = await().atMost(PATIENCE).until(() -> results(experiment), b -> b.get("runs").size() == 1);
        assertThat(body.get("runs").get(0).get("runId").asText()).isEqualTo(run.toString());
        assertThat(body.get("failed")).isEmpty();
        assertThat(count("select count(*) from run_event where run_id = $1", refusedRun)).isZero();
    }

    @Test
    void prometheusShowsExperimentAggregatesWithoutRunIds() throws Exception {
        UUID experiment = UUID.randomUUID();
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        broker.publish(Events.completed(experiment, first, 1, "city-1", Events.metrics(2.0, 3.0, 0.5)));
        broker.publish(Events.completed(experiment, second, 1, "city-2", Events.metrics(4.0, 5.0, 0.25)));

        String tag = "experiment=\"" + experiment + "\"";
        String metrics = await().atMost(PATIENCE).until(
                () -> given().get("/q/metrics").then().statusCode(200).extract().asString(),
                text -> text.contains("trainyard_experiment_runs_completed{" + tag + "} 2.0"));

        assertThat(metrics)
                .contains("trainyard_experiment_metric_mean{" + tag + ",metric=\"mae\"} 3.0")
                .contains("trainyard_experiment_metric_min{" + tag + ",metric=\"mae\"} 2.0")
                .contains("trainyard_experiment_metric_max{" + tag + ",metric=\"mae\"} 4.0")
                .contains("trainyard_experiment_metric_mean{" + tag + ",metric=\"mape\"} 0.375")
                .contains("trainyard_events_ingested_total{kind=\"run.completed\"}")
                .contains("trainyard_events_duplicate_total")
                .doesNotContain(first.toString())
                .doesNotContain(second.toString());
    }

    @Test
    void anExperimentWithoutEventsHasNoResultsYet() {
        UUID experiment = UUID.randomUUID();
        JsonNode body = results(experiment);
        assertThat(body.get("experimentId").asText()).isEqualTo(experiment.toString());
        assertThat(body.get("runs")).isEmpty();
        assertThat(body.get("aggregate").get("count").asLong()).isZero();
        assertThat(body.get("aggregate").get("metrics")).isEmpty();
        assertThat(body.get("failed")).isEmpty();
    }

    @Test
    void aMalformedExperimentIdIsABadRequest() throws Exception {
        var response = given().get("/experiments/{id}/results", "not-a-uuid").then()
                .statusCode(400)
                .contentType("application/problem+json")
                .extract().asString();
        JsonNode problem = JSON.readTree(response);
        assertThat(problem.get("status").asInt()).isEqualTo(400);
        assertThat(problem.get("type").asText()).isNotBlank();
        assertThat(problem.get("title").asText()).isNotBlank();
        assertThat(problem.get("detail").asText()).contains("not-a-uuid");
        assertThat(problem.get("violations").get(0).get("field").asText()).isEqualTo("id");
    }

    @Test
    void healthIsUpWithTheBrokerAndTheDatabase() {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
    }

    private JsonNode results(UUID experiment) {
        String body = given().get("/experiments/{id}/results", experiment).then()
                .statusCode(200)
                .contentType("application/json")
                .extract().asString();
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            throw new AssertionError("results are not JSON: " + body, e);
        }
    }

    private static double metric(String name) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static double duplicates() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("trainyard_events_duplicate_total "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).sum();
    }

    private long count(String sql, UUID id) {
        Row row = database.preparedQuery(sql).execute(Tuple.of(id)).await().atMost(PATIENCE).iterator().next();
        return row.getLong(0);
    }

    private String statusRow(UUID run) {
        Row row = database.preparedQuery("select status, attempt, epoch from run_status where run_id = $1")
                .execute(Tuple.of(run)).await().atMost(PATIENCE).iterator().next();
        return row.getString(0) + "/" + row.getInteger(1) + "/" + row.getInteger(2);
    }

    private String status(UUID run) {
        var rows = database.preparedQuery("select status from run_status where run_id = $1")
                .execute(Tuple.of(run)).await().atMost(PATIENCE);
        return rows.size() == 0 ? null : rows.iterator().next().getString(0);
    }
}
