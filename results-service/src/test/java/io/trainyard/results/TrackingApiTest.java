package io.trainyard.results;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.trainyard.contracts.RunCompleted;
import io.trainyard.contracts.RunProgressed;
import io.trainyard.contracts.RunRef;
import io.trainyard.contracts.RunStarted;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The tracking API: statistics checked against values computed here, run detail, comparison and export. */
@QuarkusTest
class TrackingApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    /** What "fast" means for one request over an experiment of 10,000 runs on this 2-core machine. */
    private static final Duration FAST = Duration.ofMillis(1500);
    private static final int RUNS = 10_000;
    private static final int PARTITIONS = 100;

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
    void statisticsOfTenThousandRunsMatchTheirDefinitionAndAnswerFast() throws Exception {
        UUID experiment = UUID.randomUUID();
        seed(experiment);
        Map<String, Map<UUID, Double>> values = storedMetrics(experiment);
        Map<UUID, String> partitions = storedPartitions(experiment);
        get("/experiments/{id}/summary", experiment); // warm-up: the first request of a query plans it

        JsonNode summary = timed(() -> get("/experiments/{id}/summary", experiment));
        assertThat(summary.get("completed").asLong()).isEqualTo(RUNS);
        for (String metric : List.of("mae", "rmse", "mape")) {
            double[] column = finite(values.get(metric).values());
            JsonNode stats = summary.get("metrics").get(metric);
            assertThat(stats.get("count").asLong()).isEqualTo(column.length);
            assertClose(stats.get("mean").asDouble(), Arrays.stream(column).average().orElseThrow());
            assertThat(stats.get("min").asDouble()).isEqualTo(Arrays.stream(column).min().orElseThrow());
            assertThat(stats.get("max").asDouble()).isEqualTo(Arrays.stream(column).max().orElseThrow());
            assertClose(stats.get("p50").asDouble(), Percentiles.continuous(column, 0.5));
            assertClose(stats.get("p90").asDouble(), Percentiles.continuous(column, 0.9));
            assertClose(stats.get("stddev").asDouble(), Percentiles.sampleStandardDeviation(column));
        }
        // the seeded NaN is left out of the statistics, not poisoning them
        assertThat(summary.get("metrics").get("mae").get("count").asLong()).isEqualTo(RUNS - 1);

        Map.Entry<UUID, Double> lowest = values.get("rmse").entrySet().stream()
                .filter(e -> Double.isFinite(e.getValue())).min(Map.Entry.comparingByValue()).orElseThrow();
        JsonNode best = timed(() -> get("/experiments/{id}/best?metric=rmse", experiment));
        assertThat(best.get("run").get("runId").asText()).isEqualTo(lowest.getKey().toString());
        assertThat(best.get("value").asDouble()).isEqualTo(lowest.getValue());
        assertThat(best.get("direction").asText()).isEqualTo("minimize");
        Map.Entry<UUID, Double> highest = values.get("mape").entrySet().stream()
                .filter(e -> Double.isFinite(e.getValue())).max(Map.Entry.comparingByValue()).orElseThrow();
        JsonNode worst = timed(() -> get("/experiments/{id}/best?metric=mape&direction=maximize", experiment));
        assertThat(worst.get("run").get("runId").asText()).isEqualTo(highest.getKey().toString());
        JsonNode defaultBest = timed(() -> get("/experiments/{id}/best", experiment));
        assertThat(defaultBest.get("metric").asText()).isEqualTo("mae");

        JsonNode partitionPage = timed(() -> get("/experiments/{id}/partitions?page=1&size=30", experiment));
        assertThat(partitionPage.get("total").asLong()).isEqualTo(PARTITIONS);
        assertThat(partitionPage.get("items")).hasSize(30);
        List<String> sortedPartitions = partitions.values().stream().distinct().sorted().toList();
        for (int i = 0; i < 30; i++) {
            JsonNode row = partitionPage.get("items").get(i);
            String partition = sortedPartitions.get(30 + i);
            assertThat(row.get("partition").asText()).isEqualTo(partition);
            assertThat(row.get("runs").asLong()).isEqualTo(RUNS / PARTITIONS);
            double[] rmse = finite(values.get("rmse").entrySet().stream()
                    .filter(e -> partition.equals(partitions.get(e.getKey()))).map(Map.Entry::getValue).toList());
            assertClose(row.get("metrics").get("rmse").get("mean").asDouble(),
                    Arrays.stream(rmse).average().orElseThrow());
            assertThat(row.get("metrics").get("rmse").get("max").asDouble())
                    .isEqualTo(Arrays.stream(rmse).max().orElseThrow());
        }

        JsonNode runPage = timed(() -> get("/experiments/{id}/runs?page=99&size=100", experiment));
        assertThat(runPage.get("total").asLong()).isEqualTo(RUNS);
        assertThat(runPage.get("items")).hasSize(100);
        List<UUID> order = partitions.keySet().stream()
                .sorted(Comparator.comparing((UUID id) -> partitions.get(id)).thenComparing(TrackingApiTest::postgresOrder))
                .toList();
        assertThat(runPage.get("items").get(0).get("runId").asText()).isEqualTo(order.get(9_900).toString());

        long started = System.nanoTime();
        String csv = given().accept("text/csv").get("/experiments/{id}/results", experiment).then()
                .statusCode(200).contentType("text/csv").extract().asString();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(FAST.multipliedBy(2));
        String[] lines = csv.split("\r\n");
        assertThat(lines).hasSize(RUNS + 1);
        assertThat(lines[0]).isEqualTo("runId,partition,attempt,mae,mape,rmse");
        String[] some = lines[1 + RUNS / 2].split(",");
        UUID someRun = UUID.fromString(some[0]);
        assertThat(some[1]).isEqualTo(partitions.get(someRun));
        assertThat(Double.parseDouble(some[5])).isEqualTo(values.get("rmse").get(someRun));
    }

    @Test
    void aRunShowsItsAttemptsCurveResultAndDuration() throws Exception {
        UUID experiment = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(600);
        broker.publish(new RunStarted(ref(experiment, run, 1, 1, "trainer-a", t0), "lyon", 0, null, 3, null));
        broker.publish(new RunProgressed(ref(experiment, run, 1, 2, "trainer-a", t0.plusSeconds(10)), 1, 3, 0.9,
                1.1, 10.0));
        broker.publish(new RunProgressed(ref(experiment, run, 1, 3, "trainer-a", t0.plusSeconds(20)), 2, 3, 0.7,
                0.95, 10.0));
        // the first trainer died after its checkpoint at epoch 1: a second attempt resumes there and redoes epoch 2
        broker.publish(new RunStarted(ref(experiment, run, 2, 1, "trainer-b", t0.plusSeconds(60)), "lyon", 1, 1, 3,
                null));
        broker.publish(new RunProgressed(ref(experiment, run, 2, 2, "trainer-b", t0.plusSeconds(70)), 2, 3, 0.6,
                0.8, 8.0));
        broker.publish(new RunProgressed(ref(experiment, run, 2, 3, "trainer-b", t0.plusSeconds(80)), 3, 3, 0.5,
                0.7, 8.0));
        broker.publish(new RunCompleted(ref(experiment, run, 2, 4, "trainer-b", t0.plusSeconds(90)), "lyon", 3,
                Events.metrics(1.5, 2.5, 0.05), "models/" + experiment + "/" + run + "/"));

        JsonNode detail = await().atMost(PATIENCE).until(() -> runDetail(run),
                d -> d != null && d.get("result") != null && !d.get("result").isNull());

        assertThat(detail.get("experimentId").asText()).isEqualTo(experiment.toString());
        assertThat(detail.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(detail.get("partition").asText()).isEqualTo("lyon");
        JsonNode attempts = detail.get("attempts");
        assertThat(attempts).hasSize(2);
        assertThat(attempts.get(0).get("attempt").asInt()).isEqualTo(1);
        assertThat(attempts.get(0).get("trainer").asText()).isEqualTo("trainer-a");
        assertThat(attempts.get(0).get("startEpoch").asInt()).isZero();
        assertThat(attempts.get(0).get("resumedFromEpoch").isNull()).isTrue();
        assertThat(attempts.get(1).get("trainer").asText()).isEqualTo("trainer-b");
        assertThat(attempts.get(1).get("startEpoch").asInt()).isEqualTo(1);
        assertThat(attempts.get(1).get("resumedFromEpoch").asInt()).isEqualTo(1);
        JsonNode curve = detail.get("epochMetrics");
        assertThat(curve).hasSize(3);
        assertThat(curve.get(0).get("trainLoss").asDouble()).isEqualTo(0.9);
        // epoch 2 was trained twice: the curve shows the attempt that went on to finish
        assertThat(curve.get(1).get("attempt").asInt()).isEqualTo(2);
        assertThat(curve.get(1).get("validationLoss").asDouble()).isEqualTo(0.8);
        assertThat(curve.get(2).get("epoch").asInt()).isEqualTo(3);
        assertThat(detail.get("result").get("metrics").get("mae").asDouble()).isEqualTo(1.5);
        assertThat(detail.get("result").get("attempt").asInt()).isEqualTo(2);
        assertThat(detail.get("result").get("modelLocation").asText())
                .isEqualTo("models/" + experiment + "/" + run + "/");
        assertThat(detail.get("durationSeconds").asDouble()).isEqualTo(90.0);
        assertThat(detail.get("trainingSeconds").asDouble()).isEqualTo(26.0);
    }

    @Test
    void chosenRunsAreComparedSideBySideAndExported() throws Exception {
        UUID experiment = UUID.randomUUID();
        UUID paris = UUID.randomUUID();
        UUID oslo = UUID.randomUUID();
        UUID rome = UUID.randomUUID();
        UUID unknown = UUID.randomUUID();
        broker.publish(Events.completed(experiment, paris, 1, "Arles, \"FR\"", Events.metrics(3.0, 4.0, 0.3)));
        broker.publish(Events.completed(experiment, oslo, 1, "oslo", Events.metrics(1.0, 2.0, 0.1)));
        broker.publish(Events.completed(experiment, rome, 2, "rome", Events.metrics(2.0, 5.0, 0.2)));
        await().atMost(PATIENCE).until(() -> get("/experiments/{id}/summary", experiment).get("completed").asLong(),
                completed -> completed == 3);

        JsonNode comparison = get("/experiments/{id}/compare?runs=" + rome + "," + paris + "," + unknown,
                experiment);
        assertThat(comparison.get("runs")).hasSize(2);
        assertThat(comparison.get("runs").get(0).get("runId").asText()).isEqualTo(rome.toString());
        assertThat(comparison.get("runs").get(1).get("runId").asText()).isEqualTo(paris.toString());
        assertThat(doubles(comparison.get("metrics").get("mae"))).containsExactly(2.0, 3.0);
        assertThat(doubles(comparison.get("metrics").get("rmse"))).containsExactly(5.0, 4.0);
        assertThat(comparison.get("missing").get(0).asText()).isEqualTo(unknown.toString());

        JsonNode best = get("/experiments/{id}/best", experiment);
        assertThat(best.get("run").get("runId").asText()).isEqualTo(oslo.toString());
        assertThat(best.get("value").asDouble()).isEqualTo(1.0);

        JsonNode partitions = get("/experiments/{id}/partitions", experiment);
        assertThat(partitions.get("total").asLong()).isEqualTo(3);
        assertThat(StreamSupport.stream(partitions.get("items").spliterator(), false)
                .map(p -> p.get("partition").asText()).toList()).containsExactly("Arles, \"FR\"", "oslo", "rome");
        assertThat(partitions.get("items").get(1).get("metrics").get("mape").get("mean").asDouble())
                .isEqualTo(0.1);

        String csv = given().get("/experiments/{id}/results.csv", experiment).then()
                .statusCode(200).contentType("text/csv").extract().asString();
        assertThat(csv).isEqualTo("runId,partition,attempt,mae,mape,rmse\r\n"
                + paris + ",\"Arles, \"\"FR\"\"\",1,3.0,0.3,4.0\r\n"
                + oslo + ",oslo,1,1.0,0.1,2.0\r\n"
                + rome + ",rome,2,2.0,0.2,5.0\r\n");
        assertThat(given().accept("text/csv").get("/experiments/{id}/results", experiment).then()
                .statusCode(200).extract().asString()).isEqualTo(csv);
    }

    @Test
    void badParametersAreNamedInTheProblem() throws Exception {
        UUID experiment = UUID.randomUUID();
        assertProblem(given().get("/experiments/{id}/best?direction=upwards", experiment), 400, "direction");
        assertProblem(given().get("/experiments/{id}/runs?page=-1", experiment), 400, "page");
        assertProblem(given().get("/experiments/{id}/partitions?size=5000", experiment), 400, "size");
        assertProblem(given().get("/experiments/{id}/compare", experiment), 400, "runs");
        assertProblem(given().get("/experiments/{id}/compare?runs=abc", experiment), 400, "runs");
        assertProblem(given().get("/runs/{id}", "not-a-uuid"), 400, "runId");
        assertProblem(given().get("/runs/{id}", UUID.randomUUID()), 404, null);
        assertProblem(given().get("/experiments/{id}/best", experiment), 404, null);
    }

    /** 10,000 completed runs over 100 partitions with random metrics, one of them NaN, straight into the tables. */
    private void seed(UUID experiment) {
        database.preparedQuery("""
                insert into run_result (run_id, experiment_id, partition_value, attempt, epochs, model_location,
                                        completed_at)
                select gen_random_uuid(), $1, 'city-' || lpad((i % $3)::text, 3, '0'), 1, 30,
                       'models/' || $1::text || '/' || i, now()
                from generate_series(1, $2) i
                """).execute(Tuple.of(experiment, RUNS, PARTITIONS)).await().atMost(PATIENCE);
        database.preparedQuery("""
                insert into run_metric (run_id, experiment_id, name, value)
                select r.run_id, r.experiment_id, n.name, random() * n.scale
                from run_result r cross join (values ('mae', 10.0), ('rmse', 20.0), ('mape', 1.0)) n(name, scale)
                where r.experiment_id = $1
                """).execute(Tuple.of(experiment)).await().atMost(PATIENCE);
        database.preparedQuery("""
                update run_metric set value = 'NaN' where name = 'mae' and run_id = (
                    select run_id from run_result where experiment_id = $1 order by run_id limit 1)
                """).execute(Tuple.of(experiment)).await().atMost(PATIENCE);
        database.query("analyze run_result, run_metric").execute().await().atMost(PATIENCE);
    }

    private Map<String, Map<UUID, Double>> storedMetrics(UUID experiment) {
        Map<String, Map<UUID, Double>> values = new HashMap<>();
        for (Row row : database.preparedQuery("select name, run_id, value from run_metric where experiment_id = $1")
                .execute(Tuple.of(experiment)).await().atMost(PATIENCE)) {
            values.computeIfAbsent(row.getString(0), n -> new HashMap<>()).put(row.getUUID(1), row.getDouble(2));
        }
        return values;
    }

    private Map<UUID, String> storedPartitions(UUID experiment) {
        Map<UUID, String> partitions = new HashMap<>();
        for (Row row : database.preparedQuery(
                "select run_id, partition_value from run_result where experiment_id = $1")
                .execute(Tuple.of(experiment)).await().atMost(PATIENCE)) {
            partitions.put(row.getUUID(0), row.getString(1));
        }
        return partitions;
    }

    /** PostgreSQL orders uuids by their bytes, unsigned; Java's UUID.compareTo compares signed longs. */
    private static String postgresOrder(UUID id) {
        return id.toString();
    }

    private static double[] finite(java.util.Collection<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).toArray();
    }

    private static void assertClose(double actual, double expected) {
        assertThat(actual).isCloseTo(expected, within(1e-9 * Math.max(1.0, Math.abs(expected))));
    }

    private static List<Double> doubles(JsonNode array) {
        List<Double> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asDouble()));
        return values;
    }

    private static JsonNode timed(Supplier<JsonNode> request) {
        long started = System.nanoTime();
        JsonNode body = request.get();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(FAST);
        return body;
    }

    private static RunRef ref(UUID experiment, UUID run, int attempt, long sequence, String trainer, Instant at) {
        return new RunRef(experiment, run, attempt, sequence, trainer, at);
    }

    private static JsonNode get(String path, Object... parameters) {
        return parse(given().get(path, parameters).then().statusCode(200).contentType("application/json")
                .extract().asString());
    }

    private static JsonNode runDetail(UUID run) {
        var response = given().get("/runs/{id}", run).then().extract();
        return response.statusCode() == 404 ? null : parse(response.asString());
    }

    private static void assertProblem(io.restassured.response.Response response, int status, String field) {
        JsonNode problem = parse(response.then().statusCode(status).contentType("application/problem+json")
                .extract().asString());
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("detail").asText()).isNotBlank();
        if (field != null) {
            assertThat(problem.get("violations").get(0).get("field").asText()).isEqualTo(field);
        }
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }
}
