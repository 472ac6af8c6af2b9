package io.trainyard.e2e;

import static io.restassured.RestAssured.given;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.restassured.http.ContentType;
import io.trainyard.contracts.RunCompleted;
import io.trainyard.contracts.RunEvent;
import io.trainyard.contracts.RunStarted;
import io.trainyard.contracts.Topology;
import io.trainyard.storage.testing.S3ProxyServer;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Benchmark (bench/orchestration.sh), not a test: how much of a fleet's time goes to the platform rather than to
 * training, with runs that only wait ({@code synthetic}, not machine learning).
 *
 * <p>Started first and excluded from the figure: S3Proxy, the scheduler (a database of its own,
 * {@code trainyard_scheduler_bench}, and event/dead-letter queues of its own, so other stacks on the broker are
 * neither disturbed nor disturbing) and {@code T} trainers of {@code C} slots each on a pool of their own, all
 * ready. The results service is not started: nothing waits for it. Then one experiment of {@code R} runs (40
 * cities × a grid of {@code stepsPerEpoch} values, each one epoch of {@code S} seconds) is submitted.
 *
 * <p>Unless {@code bench.cold} is set, the same experiment is run once untimed first, so the fresh JVMs' JIT and
 * first-use costs are not in the figure (as in a fleet that has been working).
 *
 * <p><b>Makespan</b>: from just before {@code POST /experiments} to the arrival here of the last run's
 * {@code run.completed} (published with a confirm by the trainer after the model is written). <b>Ideal</b>: R × S /
 * (T × C), every slot waiting back to back with no platform cost at all. <b>Efficiency</b> = ideal / makespan.
 * The breakdown splits slot time into the runs' own wait, the rest of each run's time on its trainer (from its
 * {@code run.started} to its {@code run.completed}, trainer clock) and what is left (between runs: ack, next
 * delivery, the checks and reads before {@code run.started}; the ramp-up after the submit and the tail).
 */
public final class OrchestrationBenchmark {

    static final String POOL = "bench-orchestration";
    static final String DATABASE = "trainyard_scheduler_bench";
    static final String EVENTS_QUEUE = "scheduler.run-events.bench";
    static final String DEAD_QUEUE = "trainyard.dead.bench";
    static final Duration STARTUP = Duration.ofSeconds(240);

    private OrchestrationBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int trainerCount = Integer.getInteger("bench.trainers", 4);
        int concurrency = Integer.getInteger("bench.concurrency", 4);
        int grid = Integer.getInteger("bench.grid", 5);
        int cities = Integer.getInteger("bench.cities", 40);
        double seconds = Double.parseDouble(System.getProperty("bench.secondsPerEpoch", "0.5"));
        int slots = trainerCount * concurrency;
        int runs = cities * grid;
        Map<String, String> extraTrainerProperties = new LinkedHashMap<>();
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("bench.trainer."))
                .forEach(k -> extraTrainerProperties.put(k.substring("bench.trainer.".length()),
                        System.getProperty(k)));

        freshDatabase();
        deleteQueues(); // an interrupted earlier benchmark may have left commands behind
        S3ProxyServer s3 = S3ProxyServer.start();
        List<ServiceProcess> processes = new ArrayList<>();
        try (TimedEvents events = new TimedEvents()) {
            Map<String, String> sp = common(s3);
            sp.put("quarkus.datasource.reactive.url", "postgresql://127.0.0.1:5432/" + DATABASE);
            sp.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/" + DATABASE);
            sp.put("quarkus.datasource.username", "postgres"); // trust authentication on 127.0.0.1
            sp.put("trainyard.scheduler.pools", "cpu," + POOL);
            sp.put("mp.messaging.incoming.run-events.queue.name", EVENTS_QUEUE);
            sp.put("mp.messaging.incoming.dead-commands.queue.name", DEAD_QUEUE);
            ServiceProcess scheduler = ServiceProcess.start("orchestration-scheduler", "scheduler-service", sp);
            processes.add(scheduler);
            for (int i = 1; i <= trainerCount; i++) {
                Map<String, String> p = common(s3);
                p.put("trainyard.trainer.pool", POOL);
                p.put("trainyard.trainer.id", "orchestration-trainer-" + i);
                p.put("trainyard.trainer.concurrency", Integer.toString(concurrency));
                p.putAll(Map.of("ai.djl.pytorch.num_threads", "1", "ai.djl.pytorch.num_interop_threads", "1",
                        "ai.djl.offline", "true"));
                p.putAll(extraTrainerProperties);
                processes.add(ServiceProcess.start("orchestration-trainer-" + i, "trainer-service", p));
            }
            for (ServiceProcess p : processes) {
                p.awaitReady(STARTUP);
            }
            String dataset = "bench-" + UUID.randomUUID().toString().substring(0, 8);
            given().baseUri(scheduler.url()).contentType(ContentType.JSON)
                    .body(Map.of("id", dataset, "cities", cities, "days", 60, "seed", 3))
                    .post("/datasets/demo").then().statusCode(201);
            List<Integer> steps = new ArrayList<>();
            for (int i = 0; i < grid; i++) {
                steps.add(10 + i);
            }
            Map<String, Object> spec = Map.of(
                    "name", "orchestration-bench",
                    "dataset", dataset,
                    "partitionBy", "city",
                    "model", Map.of("kind", "synthetic", "hyperparameters", Map.of("secondsPerEpoch", seconds)),
                    "search", Map.of("type", "grid", "parameters", Map.of("stepsPerEpoch", steps)),
                    "training", Map.of("epochs", 1, "batchSize", 1, "learningRate", 0.001, "seed", 42,
                            "checkpointEvery", 1),
                    "resources", Map.of("pool", POOL));
            System.out.printf("orchestration: %d synthetic runs of %.2f s on %d trainers x %d slots = %d slots%s%n",
                    runs, seconds, trainerCount, concurrency, slots,
                    extraTrainerProperties.isEmpty() ? "" : " " + extraTrainerProperties);
            int warmUps = Boolean.getBoolean("bench.cold") ? 0 : Integer.getInteger("bench.warmups", 1);
            for (int i = 1; i <= warmUps; i++) {
                // The same experiment, untimed: JIT and first-use costs of the fresh JVMs are then behind them, as
                // in a fleet that has been working (the start-up of the JVMs is excluded either way). One is not
                // enough for that: after 200 runs the JVMs' compiler threads still used a third of their CPU.
                Experiment warm = submit(scheduler, spec);
                awaitAll(events, warm.id(), runs);
                System.out.printf("warm-up experiment %d of %d done (%d runs, %.1f s from submit)%s%n", i, warmUps,
                        runs, (System.nanoTime() - warm.submitted()) / 1e9,
                        i == warmUps ? "; measuring the next one" : "");
            }
            Thread.sleep(2000); // let the machine settle
            Experiment measured = submit(scheduler, spec);
            long last = awaitAll(events, measured.id(), runs);
            Thread.sleep(1000);
            System.out.printf("submitted at %s (wall clock, for the logs)%n", measured.wallClock());
            report(events, measured.id(), runs, seconds, slots, measured.submitted(), measured.answered(), last);
        } finally {
            for (ServiceProcess p : processes.reversed()) {
                p.close();
            }
            s3.close();
            deleteQueues();
        }
    }

    private static void report(TimedEvents events, UUID experiment, int runs, double seconds, int slots,
            long submitted, long answered, long last) {
        double makespan = (last - submitted) / 1e9;
        double ideal = runs * seconds / slots;
        List<TimedEvents.Arrival> started = events.of(experiment, RunStarted.class);
        List<TimedEvents.Arrival> completed = events.of(experiment, RunCompleted.class);
        Map<UUID, RunEvent> firstStart = new HashMap<>();
        started.forEach(a -> firstStart.putIfAbsent(a.event().run().runId(), a.event()));
        Map<UUID, RunEvent> completion = new HashMap<>();
        completed.forEach(a -> completion.putIfAbsent(a.event().run().runId(), a.event()));
        double inRun = completion.values().stream().mapToDouble(c -> Duration.between(
                firstStart.get(c.run().runId()).run().at(), c.run().at()).toNanos() / 1e9).sum();
        double slotTime = slots * makespan;
        double waiting = runs * seconds;
        long firstStartArrival = started.stream().mapToLong(TimedEvents.Arrival::nanos).min().orElse(last);
        long lastStartArrival = started.stream().mapToLong(TimedEvents.Arrival::nanos).max().orElse(last);
        Map<String, Long> perTrainer = completion.values().stream()
                .collect(Collectors.groupingBy(e -> e.run().trainer(), java.util.TreeMap::new, Collectors.counting()));

        System.out.printf("%nmakespan %.3f s (submit -> last run.completed; trainer start-up excluded), ideal %.3f s "
                + "(%d x %.2f s / %d slots)%n", makespan, ideal, runs, seconds, slots);
        System.out.printf("efficiency %.3f (target >= 0.97)%n%n", ideal / makespan);
        System.out.printf("POST /experiments answered after %.0f ms; first run.started after %.0f ms; "
                + "last run.started after %.0f ms%n", (answered - submitted) / 1e6,
                (firstStartArrival - submitted) / 1e6, (lastStartArrival - submitted) / 1e6);
        System.out.printf("run.started: %d, run.completed: %d (of %d runs)%n", started.size(), completed.size(), runs);
        System.out.printf("slot time %.2f s = waiting %.2f s (%.1f%%) + rest of the runs' time on trainers %.2f s "
                + "(%.1f%%, %.1f ms per run) + between runs, ramp-up and tail %.2f s (%.1f%%, %.1f ms per run)%n",
                slotTime, waiting, 100 * waiting / slotTime, inRun - waiting, 100 * (inRun - waiting) / slotTime,
                1000 * (inRun - waiting) / runs, slotTime - inRun, 100 * (slotTime - inRun) / slotTime,
                1000 * (slotTime - inRun) / runs);
        System.out.printf("runs per trainer: %s%n", perTrainer);
    }

    record Experiment(UUID id, long submitted, long answered, java.time.Instant wallClock) {
    }

    private static Experiment submit(ServiceProcess scheduler, Map<String, Object> spec) {
        java.time.Instant wallClock = java.time.Instant.now();
        long submitted = System.nanoTime();
        String location = given().baseUri(scheduler.url()).contentType(ContentType.JSON).body(spec)
                .post("/experiments").then().statusCode(201).extract().header("Location");
        long answered = System.nanoTime();
        return new Experiment(UUID.fromString(location.substring(location.lastIndexOf('/') + 1)), submitted,
                answered, wallClock);
    }

    /** Waits until every run of the experiment has announced its completion; returns when the last one arrived. */
    private static long awaitAll(TimedEvents events, UUID experiment, int runs) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (distinctRuns(events.of(experiment, RunCompleted.class)) < runs) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("only " + distinctRuns(events.of(experiment, RunCompleted.class))
                        + " of " + runs + " runs completed within 10 minutes");
            }
            Thread.sleep(1);
        }
        return events.of(experiment, RunCompleted.class).getLast().nanos();
    }

    private static long distinctRuns(List<TimedEvents.Arrival> arrivals) {
        return arrivals.stream().map(a -> a.event().run().runId()).distinct().count();
    }

    private static Map<String, String> common(S3ProxyServer s3) {
        Map<String, String> p = new HashMap<>();
        p.put("trainyard.s3.endpoint", s3.endpoint());
        p.put("trainyard.s3.access-key", S3ProxyServer.ACCESS_KEY);
        p.put("trainyard.s3.secret-key", S3ProxyServer.SECRET_KEY);
        p.put("trainyard.s3.bucket", "bench");
        return p;
    }

    /** A fresh database each time: outbox rows left by an interrupted run would otherwise be relayed again. */
    private static void freshDatabase() throws Exception {
        try (var connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres",
                "");
                var statement = connection.createStatement()) {
            statement.execute("drop database if exists " + DATABASE + " with (force)");
            statement.execute("create database " + DATABASE);
        }
    }

    private static void deleteQueues() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        try (Connection connection = factory.newConnection("bench-orchestration");
                Channel channel = connection.createChannel()) {
            channel.queueDelete(Topology.trainerQueue(POOL));
            channel.queueDelete(EVENTS_QUEUE);
            channel.queueDelete(DEAD_QUEUE);
        }
    }
}
