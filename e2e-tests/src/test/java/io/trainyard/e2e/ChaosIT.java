package io.trainyard.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.trainyard.contracts.RunCheckpointed;
import io.trainyard.contracts.RunCompleted;
import io.trainyard.contracts.RunEvent;
import io.trainyard.contracts.RunProgressed;
import io.trainyard.contracts.RunReleased;
import io.trainyard.contracts.RunStarted;
import io.trainyard.storage.testing.S3ProxyServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chaos test of issue 4: an experiment of many short runs on several trainers while, one after the other, a busy
 * trainer is killed with SIGKILL (and replaced), another is frozen with SIGSTOP for longer than its broker heartbeat
 * (so the broker gives its runs to others) and later woken with SIGCONT, a third is stopped with SIGTERM (and
 * replaced), the S3 server restarts and the results service restarts. Then it asserts and prints: every run
 * SUCCEEDED, each run's final result recorded exactly once, no run restarted from epoch 0 after it had a checkpoint,
 * no restart lost more than one checkpoint interval (so the epochs lost are at most the interrupted deliveries times
 * the interval), and no command left in the pool's queue.
 *
 * <p>The runs use the {@code synthetic} model kind (it only waits, so the test is about the platform, not about
 * learning). The same test is {@code bin/trainyard chaos}, bigger: its size comes from system properties
 * ({@code chaos.cities}, {@code chaos.gridPoints}, {@code chaos.epochs}, {@code chaos.secondsPerEpoch},
 * {@code chaos.trainers}, {@code chaos.concurrency}, {@code chaos.kills}, {@code chaos.freeze}); the defaults are the
 * CI size.
 */
class ChaosIT {

    static final String POOL = "chaos";
    static final Duration STARTUP = Duration.ofSeconds(180);
    static final int CITIES = Integer.getInteger("chaos.cities", 15);
    static final int GRID_POINTS = Integer.getInteger("chaos.gridPoints", 2);
    static final int EPOCHS = Integer.getInteger("chaos.epochs", 8);
    static final double SECONDS_PER_EPOCH = Double.parseDouble(System.getProperty("chaos.secondsPerEpoch", "0.5"));
    static final int TRAINERS = Integer.getInteger("chaos.trainers", 3);
    static final int CONCURRENCY = Integer.getInteger("chaos.concurrency", 2);
    /** How long the frozen trainer stays stopped: longer than two heartbeats, so the broker drops it. */
    static final Duration FREEZE = Duration.ofSeconds(Integer.getInteger("chaos.freeze", 15));
    /** Heartbeat the trainers ask for: short, so a frozen trainer is noticed within the test. */
    static final int HEARTBEAT_SECONDS = 4;
    static final int CHECKPOINT_EVERY = 1;
    /** Trainers killed with SIGKILL, one after the other, each replaced. */
    static final int KILLS = Integer.getInteger("chaos.kills", 1);

    static S3ProxyServer s3;
    static EventProbe events;
    static ServiceProcess scheduler;
    static ServiceProcess results;
    static final Map<String, ServiceProcess> trainers = new ConcurrentHashMap<>();
    static final AtomicInteger numbers = new AtomicInteger();

    static Map<String, String> storage() {
        Map<String, String> p = new HashMap<>();
        p.put("trainyard.s3.endpoint", s3.endpoint());
        p.put("trainyard.s3.access-key", S3ProxyServer.ACCESS_KEY);
        p.put("trainyard.s3.secret-key", S3ProxyServer.SECRET_KEY);
        p.put("trainyard.s3.bucket", "chaos");
        return p;
    }

    static Map<String, String> database(String name) {
        Map<String, String> p = storage();
        p.put("quarkus.datasource.reactive.url", "postgresql://127.0.0.1:5432/" + name);
        p.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/" + name);
        return p;
    }

    /** Starts a trainer of the chaos pool; does not wait for it. Its id in events is its name. */
    static ServiceProcess startTrainer() throws Exception {
        String name = "chaos-trainer-" + numbers.incrementAndGet();
        Map<String, String> p = storage();
        p.put("trainyard.trainer.pool", POOL);
        p.put("trainyard.trainer.id", name);
        p.put("trainyard.trainer.concurrency", Integer.toString(CONCURRENCY));
        p.put("trainyard.trainer.retry-backoff", "500ms");
        p.put("trainyard.trainer.retry-backoff-max", "4s");
        for (String channel : List.of("incoming.run-commands", "incoming.run-control", "outgoing.run-events",
                "outgoing.run-continuations")) {
            p.put("mp.messaging." + channel + ".requested-heartbeat", Integer.toString(HEARTBEAT_SECONDS));
        }
        ServiceProcess trainer = ServiceProcess.start(name, "trainer-service", p);
        trainers.put(name, trainer);
        return trainer;
    }

    static ServiceProcess startResults() throws Exception {
        return ServiceProcess.start("results", "results-service", database("trainyard_results_e2e"));
    }

    @BeforeAll
    static void startStack() throws Exception {
        s3 = S3ProxyServer.start();
        events = new EventProbe();
        Map<String, String> schedulerProperties = database("trainyard_scheduler_e2e");
        schedulerProperties.put("trainyard.scheduler.pools", "cpu," + POOL);
        schedulerProperties.put("trainyard.scheduler.model-kinds", "mlp-forecaster,synthetic");
        scheduler = ServiceProcess.start("scheduler", "scheduler-service", schedulerProperties);
        results = startResults();
        List<ServiceProcess> first = new ArrayList<>();
        for (int i = 0; i < TRAINERS; i++) {
            first.add(startTrainer());
        }
        scheduler.awaitReady(STARTUP);
        results.awaitReady(STARTUP);
        for (ServiceProcess t : first) {
            t.awaitReady(STARTUP);
        }
    }

    @AfterAll
    static void stopStack() throws Exception {
        for (ServiceProcess t : trainers.values()) {
            try {
                t.signal("CONT"); // a frozen JVM cannot run its shutdown hook
            } catch (Exception ignored) {
                // already gone
            }
            t.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {results, scheduler, events, s3}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void everyRunSucceedsOnceWhateverHappensToTheMachines() throws Exception {
        Instant begin = Instant.now();
        String dataset = "chaos-" + UUID.randomUUID().toString().substring(0, 8);
        given().baseUri(scheduler.url()).contentType(ContentType.JSON)
                .body(Map.of("id", dataset, "cities", CITIES, "days", 90, "seed", 3))
                .post("/datasets/demo").then().statusCode(201);
        List<Integer> steps = new ArrayList<>();
        for (int i = 0; i < GRID_POINTS; i++) {
            steps.add(10 + i);
        }
        Map<String, Object> spec = Map.of(
                "name", "chaos",
                "dataset", dataset,
                "partitionBy", "city",
                "model", Map.of("kind", "synthetic", "hyperparameters", Map.of("secondsPerEpoch", SECONDS_PER_EPOCH)),
                "search", Map.of("type", "grid", "parameters", Map.of("stepsPerEpoch", steps)),
                "training", Map.of("epochs", EPOCHS, "batchSize", 1, "learningRate", 0.001, "seed", 42,
                        "checkpointEvery", CHECKPOINT_EVERY),
                "resources", Map.of("pool", POOL));
        String location = given().baseUri(scheduler.url()).contentType(ContentType.JSON).body(spec)
                .post("/experiments").then().statusCode(201).extract().header("Location");
        UUID experiment = UUID.fromString(location.substring(location.lastIndexOf('/') + 1));
        int runs = CITIES * GRID_POINTS;
        List<String> log = new ArrayList<>();

        // 1. kill -9 busy trainers (the first once one of its runs has a checkpoint); a replacement starts for each.
        Set<String> spent = new java.util.HashSet<>();
        for (int k = 0; k < KILLS; k++) {
            if (k > 0) {
                Thread.sleep(3000);
            }
            ServiceProcess killed = busyTrainer(experiment, spent, k == 0);
            killed.kill();
            spent.add(killed.name);
            log.add(at(begin) + " SIGKILL " + killed.name);
            startTrainer();
        }

        // 2. Freeze another busy trainer for longer than two heartbeats.
        ServiceProcess frozen = busyTrainer(experiment, spent, false);
        spent.add(frozen.name);
        frozen.signal("STOP");
        Instant frozenAt = Instant.now();
        log.add(at(begin) + " SIGSTOP " + frozen.name);

        // 3. SIGTERM a third: it drains (checkpoint, continuation) and exits; a replacement starts.
        ServiceProcess drained = busyTrainer(experiment, spent, false);
        CompletableFuture<Duration> drainExit = CompletableFuture.supplyAsync(() -> {
            try {
                return drained.terminate(Duration.ofSeconds(90));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        log.add(at(begin) + " SIGTERM " + drained.name);
        startTrainer();

        // 4. The S3 server restarts (down for 3 s).
        s3.restart(Duration.ofSeconds(3));
        log.add(at(begin) + " S3 restarted");

        // 5. The results service restarts; its queue keeps the events meanwhile.
        results.terminate(Duration.ofSeconds(60));
        results = startResults();
        log.add(at(begin) + " results service stopped and started");

        // 6. The frozen trainer wakes up, its deliveries long given to others.
        Duration left = FREEZE.minus(Duration.between(frozenAt, Instant.now()));
        if (!left.isNegative()) {
            Thread.sleep(left.toMillis());
        }
        frozen.signal("CONT");
        log.add(at(begin) + " SIGCONT " + frozen.name + " after " + Duration.between(frozenAt, Instant.now())
                .toSeconds() + " s");
        results.awaitReady(STARTUP);
        log.add(at(begin) + " drained trainer exited " + drainExit.get().toMillis() + " ms after SIGTERM");

        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            String status = given().baseUri(scheduler.url()).get(location).then().statusCode(200).extract()
                    .path("status");
            return !Set.of("queued", "running").contains(status);
        });
        log.add(at(begin) + " experiment finished");

        // Every run SUCCEEDED.
        JsonPath runList = given().baseUri(scheduler.url()).queryParam("size", 10_000).get(location + "/runs")
                .then().statusCode(200).extract().jsonPath();
        Map<String, Long> states = runList.getList("state", String.class).stream()
                .collect(Collectors.groupingBy(s -> s, Collectors.counting()));
        // Each final result recorded exactly once.
        JsonPath recorded = await().atMost(Duration.ofSeconds(60)).until(() -> given().baseUri(results.url())
                .get("/experiments/" + experiment + "/results").then().statusCode(200).extract().jsonPath(),
                r -> r.getList("runs.runId").size() >= runs);
        List<String> recordedRuns = recorded.getList("runs.runId", String.class);

        Analysis analysis = analyse(events.of(experiment));
        long queueLeft = messagesIn("trainer." + POOL);

        System.out.printf("%nchaos: %d runs (%d cities x %d grid points), %d epochs of %.2f s, checkpoint every %d, "
                + "%d trainers x %d slots, %d kill(s)%n", runs, CITIES, GRID_POINTS, EPOCHS, SECONDS_PER_EPOCH,
                CHECKPOINT_EVERY, TRAINERS, CONCURRENCY, KILLS);
        log.forEach(line -> System.out.println("  " + line));
        System.out.printf("  run states: %s%n", states);
        System.out.printf("  results recorded: %d for %d runs (distinct: %d)%n", recordedRuns.size(), runs,
                recordedRuns.stream().distinct().count());
        System.out.printf("  attempts started after the first: %d (%d resumed from a drain or segment checkpoint,"
                + " %d after an interruption), restarts from epoch 0 after a checkpoint: %d%n",
                analysis.restarts(), analysis.afterRelease(), analysis.interrupted(), analysis.restartsFromZero());
        System.out.printf("  epochs lost: %d in all, at most %d in one restart (bound: %d interrupted deliveries x "
                + "%d = %d)%n", analysis.lost(), analysis.worstLoss(), analysis.interrupted(), CHECKPOINT_EVERY,
                analysis.interrupted() * CHECKPOINT_EVERY);
        System.out.printf("  commands left in %s: %d%n", "trainer." + POOL, queueLeft);
        System.out.printf("  wall time: %d s%n%n", Duration.between(begin, Instant.now()).toSeconds());

        assertThat(states).as("every run SUCCEEDED").containsOnlyKeys("SUCCEEDED").containsEntry("SUCCEEDED",
                (long) runs);
        assertThat(recordedRuns).as("each result recorded exactly once").hasSize(runs).doesNotHaveDuplicates();
        assertThat(recorded.getInt("aggregate.count")).isEqualTo(runs);
        assertThat(analysis.restartsFromZero()).as("no run restarted from epoch 0 after it had a checkpoint")
                .isZero();
        assertThat(analysis.worstLoss()).as("no restart lost more than one checkpoint interval")
                .isLessThanOrEqualTo(CHECKPOINT_EVERY);
        assertThat(analysis.lost()).isLessThanOrEqualTo((long) analysis.interrupted() * CHECKPOINT_EVERY);
        assertThat(analysis.interrupted()).as("the kill and the freeze interrupted deliveries").isPositive();
        assertThat(queueLeft).as("commands left in the queue").isZero();
    }

    /**
     * A trainer (not one of {@code excluded}) that is training a run of the experiment right now, by the newest
     * progress event; with {@code afterCheckpoint}, one whose run already has a checkpoint.
     */
    static ServiceProcess busyTrainer(UUID experiment, Set<String> excluded, boolean afterCheckpoint) {
        return await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50)).until(() -> {
            List<RunEvent> all = events.of(experiment);
            Set<UUID> checkpointed = all.stream().filter(RunCheckpointed.class::isInstance)
                    .map(e -> e.run().runId()).collect(Collectors.toSet());
            Set<UUID> done = all.stream().filter(RunCompleted.class::isInstance).map(e -> e.run().runId())
                    .collect(Collectors.toSet());
            for (int i = all.size() - 1; i >= Math.max(0, all.size() - 50); i--) {
                RunEvent e = all.get(i);
                String trainer = e.run().trainer();
                if (e instanceof RunProgressed && !excluded.contains(trainer) && !done.contains(e.run().runId())
                        && (!afterCheckpoint || checkpointed.contains(e.run().runId()))
                        && trainers.containsKey(trainer) && trainers.get(trainer).isAlive()) {
                    return Optional.of(trainers.get(trainer));
                }
            }
            return Optional.<ServiceProcess>empty();
        }, Optional::isPresent).orElseThrow();
    }

    /**
     * @param restarts          attempts after a run's first
     * @param afterRelease      of those, attempts that followed a drain or segment hand-back (nothing lost by design)
     * @param interrupted       of those, attempts that followed an interruption (kill, freeze, transient failure)
     * @param restartsFromZero  attempts that started at epoch 0 although their run had a checkpoint
     * @param lost              epochs trained and then trained again, summed over the runs
     * @param worstLoss         the most epochs one restart lost
     */
    record Analysis(int restarts, int afterRelease, int interrupted, int restartsFromZero, long lost, int worstLoss) {
    }

    /**
     * Reads the experiment's events in arrival order. An attempt loses what earlier attempts of its run had reported
     * (progress) beyond where it resumes; progress a frozen attempt reports after it woke up is not counted, since it
     * arrives after the restart.
     */
    static Analysis analyse(List<RunEvent> all) {
        Map<UUID, Integer> progressed = new HashMap<>();
        Map<UUID, Boolean> checkpointed = new HashMap<>();
        Map<UUID, Boolean> released = new HashMap<>();
        Map<UUID, Integer> firstAttempt = new LinkedHashMap<>();
        int restarts = 0;
        int afterRelease = 0;
        int interrupted = 0;
        int fromZero = 0;
        long lost = 0;
        int worst = 0;
        for (RunEvent e : all) {
            UUID run = e.run().runId();
            switch (e) {
                case RunStarted s -> {
                    Integer first = firstAttempt.putIfAbsent(run, s.run().attempt());
                    if (first != null && s.run().attempt() > first) {
                        restarts++;
                        if (released.getOrDefault(run, false)) {
                            afterRelease++;
                        } else {
                            interrupted++;
                        }
                        released.put(run, false);
                        if (s.startEpoch() == 0 && checkpointed.getOrDefault(run, false)) {
                            fromZero++;
                        }
                        int loss = Math.max(0, progressed.getOrDefault(run, 0) - s.startEpoch());
                        lost += loss;
                        worst = Math.max(worst, loss);
                    }
                }
                case RunProgressed p -> progressed.merge(run, p.epoch(), Math::max);
                case RunCheckpointed c -> checkpointed.put(run, true);
                case RunReleased r -> released.put(run, true);
                default -> {
                }
            }
        }
        return new Analysis(restarts, afterRelease, interrupted, fromZero, lost, worst);
    }

    /** Messages ready and unacked in {@code queue}, from the management API (the AMQP count leaves out unacked). */
    static long messagesIn(String queue) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:15672/api/queues/%2F/" + queue))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("guest:guest"
                        .getBytes(StandardCharsets.UTF_8)))
                .build();
        // The management API refreshes its counts every few seconds: wait for a settled zero or report what is left.
        long messages = -1;
        for (int i = 0; i < 30; i++) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(request,
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("management API answer for %s", queue).isEqualTo(200);
            messages = JsonPath.from(response.body()).getLong("messages");
            if (messages == 0) {
                return 0;
            }
            Thread.sleep(1000);
        }
        return messages;
    }

    static String at(Instant begin) {
        return String.format("%5.1f s", Duration.between(begin, Instant.now()).toMillis() / 1000.0);
    }
}
