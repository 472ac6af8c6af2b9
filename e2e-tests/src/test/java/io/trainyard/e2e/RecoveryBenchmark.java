package io.trainyard.e2e;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.trainyard.contracts.DataSpec;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.ModelSpec;
import io.trainyard.contracts.RunCheckpointed;
import io.trainyard.contracts.RunCompleted;
import io.trainyard.contracts.RunProgressed;
import io.trainyard.contracts.RunStarted;
import io.trainyard.contracts.Topology;
import io.trainyard.contracts.TrainRun;
import io.trainyard.contracts.TrainingSpec;
import io.trainyard.storage.CheckpointStore;
import io.trainyard.storage.DatasetStore;
import io.trainyard.storage.ObjectStore;
import io.trainyard.storage.S3Settings;
import io.trainyard.storage.demo.CityDemand;
import io.trainyard.storage.testing.S3ProxyServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Benchmark (bench/recovery.sh), not a test: how fast a run killed with its trainer resumes on a standby trainer, and
 * how much work is lost.
 *
 * <p>Two trainers (separate JVMs, packaged jar) consume a pool of their own; S3Proxy is started for the run. Each
 * repetition publishes one MLP-forecaster run straight to the pool's queue (no scheduler: it is not on this path),
 * waits for its first checkpoint plus a random part of one checkpoint interval, then kills the trainer that holds it
 * with SIGKILL. Measured, on this process's clock:
 * <ul>
 * <li><b>resume</b>: from the kill (just before the signal is sent) to the arrival here of the next attempt's
 * {@code run.started}: the broker noticing the closed connection and redelivering, the standby checking for a
 * finished model and a cancellation, reading and preparing the dataset, loading and verifying the checkpoint, and
 * publishing the event;</li>
 * <li><b>checkpoint load</b>: this process loading the same checkpoint from the same S3 server right after (the
 * trainer does not time its own load separately), to show the share of resume that is the checkpoint;</li>
 * <li><b>lost</b>: epochs the killed attempt had finished past the checkpoint it is resumed from (re-done by the
 * standby), and the time between that checkpoint's {@code run.checkpointed} and the kill, against the checkpoint
 * interval.</li>
 * </ul>
 * Each run must then complete exactly once; the killed trainer is restarted before the next repetition.
 */
public final class RecoveryBenchmark {

    static final String POOL = "bench-recovery";
    static final Duration STARTUP = Duration.ofSeconds(180);

    private RecoveryBenchmark() {
    }

    record Result(String killed, int killedAtEpoch, double resumeMs, double checkpointLoadMs, long checkpointBytes,
            int resumedFrom, int epochsLost, double msLostSinceCheckpoint, double intervalMs) {
    }

    public static void main(String[] args) throws Exception {
        int repetitions = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int epochs = Integer.getInteger("bench.epochs", 40);
        int checkpointEvery = Integer.getInteger("bench.checkpointEvery", 2);
        Random random = new Random(Long.getLong("bench.seed", 1));
        S3ProxyServer s3 = S3ProxyServer.start();
        List<ServiceProcess> trainers = new ArrayList<>();
        int[] numbers = {0};
        try (TimedEvents events = new TimedEvents(); Connection broker = connect()) {
            ObjectStore store = ObjectStore.connect(new S3Settings(s3.endpoint(), S3ProxyServer.ACCESS_KEY,
                    S3ProxyServer.SECRET_KEY, "bench", "us-east-1"));
            CityDemand.Generated dataset = CityDemand.generate("bench-recovery", 1, 1095, 5);
            new DatasetStore(store).save(dataset.meta(), dataset.csv());
            CheckpointStore checkpoints = new CheckpointStore(store, 3);
            checkpoints.loadLatest(UUID.randomUUID(), UUID.randomUUID()); // this JVM's own first-use costs, not timed
            deleteQueue(broker); // a previous benchmark that was interrupted may have left commands behind

            for (int i = 0; i < 2; i++) {
                trainers.add(startTrainer(s3, ++numbers[0]));
            }
            for (ServiceProcess t : trainers) {
                t.awaitReady(STARTUP);
            }
            boolean warm = !Boolean.getBoolean("bench.cold");
            if (warm) {
                warmUp(events, broker, dataset, trainers);
            }
            System.out.printf("recovery: %d repetitions; MLP forecaster (lags 28, hidden 256x256, batch 8), %d epochs, "
                    + "checkpoint every %d epochs; 2 trainers of pool %s; standby %s%n%n", repetitions, epochs,
                    checkpointEvery, POOL, warm ? "warm (has trained a short run in its JVM)"
                            : "cold (a JVM that has never trained)");
            System.out.printf("%-3s %-16s %9s %11s %13s %9s %7s %12s %12s%n", "#", "killed", "at epoch", "resume ms",
                    "ckpt load ms", "from ep.", "lost", "lost ms", "interval ms");
            List<Result> results = new ArrayList<>();
            for (int rep = 1; rep <= repetitions; rep++) {
                Result r = once(rep, events, broker, checkpoints, dataset, trainers, epochs, checkpointEvery, random);
                results.add(r);
                System.out.printf("%-3d %-16s %9d %11.0f %13.1f %9d %7d %12.0f %12.0f%n", rep, r.killed(),
                        r.killedAtEpoch(), r.resumeMs(), r.checkpointLoadMs(), r.resumedFrom(), r.epochsLost(),
                        r.msLostSinceCheckpoint(), r.intervalMs());
                // Replace the killed trainer before the next repetition (not while the standby resumes: on two
                // cores a starting JVM would slow the resume down).
                trainers.removeIf(t -> !t.isAlive());
                trainers.add(startTrainer(s3, ++numbers[0]).awaitReady(STARTUP));
                if (warm) {
                    warmUp(events, broker, dataset, trainers);
                }
            }
            summary(results);
        } finally {
            for (ServiceProcess t : trainers) {
                t.close();
            }
            s3.close();
            try (Connection broker = connect()) {
                deleteQueue(broker); // after the trainers: deleting a queue cancels its consumers
            }
        }
    }

    /**
     * Has every trainer train one short run, so that the standby is a trainer that has worked before (first use of
     * the S3 client, the CSV reader, the event channel's connection and the JIT are then behind it), as in a fleet
     * that has been running. Both trainers are idle with a prefetch of 1, so the broker hands one run to each.
     */
    private static void warmUp(TimedEvents events, Connection broker, CityDemand.Generated dataset,
            List<ServiceProcess> trainers) throws Exception {
        List<TrainRun> runs = new ArrayList<>();
        for (int i = 0; i < trainers.size(); i++) {
            runs.add(new TrainRun(Messages.SCHEMA_VERSION, UUID.randomUUID(), UUID.randomUUID(), POOL,
                    new DataSpec(dataset.meta().id(), "city", dataset.meta().partitions().get(0), "date", "demand"),
                    new ModelSpec("mlp-forecaster", Map.of("lags", 28, "hidden", List.of(256, 256))),
                    new TrainingSpec(3, 8, 1e-3, 1, 1), 0, Instant.now()));
        }
        for (TrainRun run : runs) {
            publish(broker, run);
        }
        java.util.Set<String> warmed = new java.util.HashSet<>();
        for (TrainRun run : runs) {
            events.await(run.runId(), RunCompleted.class, c -> true, Duration.ofSeconds(120));
            events.events(run.runId(), RunStarted.class).forEach(s -> warmed.add(s.run().trainer()));
        }
        if (warmed.size() < trainers.size()) {
            System.out.printf("(warm-up: only %s trained)%n", warmed);
        }
    }

    private static Result once(int rep, TimedEvents events, Connection broker, CheckpointStore checkpoints,
            CityDemand.Generated dataset, List<ServiceProcess> trainers, int epochs, int checkpointEvery,
            Random random) throws Exception {
        TrainRun command = new TrainRun(Messages.SCHEMA_VERSION, UUID.randomUUID(), UUID.randomUUID(), POOL,
                new DataSpec(dataset.meta().id(), "city", dataset.meta().partitions().get(0), "date", "demand"),
                new ModelSpec("mlp-forecaster", Map.of("lags", 28, "hidden", List.of(256, 256))),
                new TrainingSpec(epochs, 8, 1e-3, 40 + rep, checkpointEvery), 0, Instant.now());
        UUID run = command.runId();
        publish(broker, command);

        TimedEvents.Arrival firstCheckpoint = events.await(run, RunCheckpointed.class, c -> true,
                Duration.ofSeconds(120));
        // Kill somewhere inside the next checkpoint interval, not always right after a checkpoint.
        // The first epoch of a JVM is slow (JIT): the median of the others is what an interval takes.
        double[] epochTimes = events.events(run, RunProgressed.class).stream().skip(1)
                .mapToDouble(RunProgressed::epochSeconds).sorted().toArray();
        double epochSeconds = epochTimes.length == 0 ? 0.5 : median(epochTimes);
        double intervalMs = epochSeconds * checkpointEvery * 1000;
        Thread.sleep((long) (random.nextDouble() * intervalMs));
        RunStarted started = events.events(run, RunStarted.class).getLast();
        ServiceProcess busy = trainers.stream().filter(t -> t.name.equals(started.run().trainer())).findFirst()
                .orElseThrow(() -> new IllegalStateException("no trainer called " + started.run().trainer()));
        long killedAt = System.nanoTime();
        busy.kill();

        TimedEvents.Arrival resumed = events.await(run, RunStarted.class,
                s -> s.run().attempt() > started.run().attempt(), Duration.ofSeconds(60));
        long loadStart = System.nanoTime();
        var loaded = checkpoints.loadLatest(command.experimentId(), run);
        double loadMs = (System.nanoTime() - loadStart) / 1e6;
        long bytes = loaded.map(l -> (long) l.checkpoint().parameters().length + l.checkpoint().optimizer().length)
                .orElse(0L);

        events.await(run, RunCompleted.class, c -> true, Duration.ofSeconds(300));
        Thread.sleep(500); // a second completion would show up by now
        int completions = events.events(run, RunCompleted.class).size();
        if (completions != 1) {
            throw new IllegalStateException("run " + run + " completed " + completions + " times");
        }
        RunStarted resumedEvent = (RunStarted) resumed.event();
        int from = resumedEvent.resumedFromEpoch() == null ? 0 : resumedEvent.resumedFromEpoch();
        int killedAtEpoch = events.events(run, RunProgressed.class).stream()
                .filter(p -> p.run().attempt() == started.run().attempt()).mapToInt(RunProgressed::epoch).max()
                .orElse(0);
        long checkpointArrival = events.of(command.experimentId(), RunCheckpointed.class).stream()
                .filter(a -> ((RunCheckpointed) a.event()).epoch() == from).mapToLong(TimedEvents.Arrival::nanos)
                .findFirst().orElse(firstCheckpoint.nanos());
        return new Result(busy.name, killedAtEpoch, (resumed.nanos() - killedAt) / 1e6, loadMs, bytes, from,
                killedAtEpoch - from, (killedAt - checkpointArrival) / 1e6, intervalMs);
    }

    private static void summary(List<Result> results) {
        double[] resume = results.stream().mapToDouble(Result::resumeMs).sorted().toArray();
        double[] load = results.stream().mapToDouble(Result::checkpointLoadMs).sorted().toArray();
        int maxLost = results.stream().mapToInt(Result::epochsLost).max().orElse(0);
        double maxLostMs = results.stream().mapToDouble(Result::msLostSinceCheckpoint).max().orElse(0);
        double interval = results.stream().mapToDouble(Result::intervalMs).average().orElse(0);
        long bytes = results.stream().mapToLong(Result::checkpointBytes).max().orElse(0);
        System.out.printf("%nresume after kill -9: median %.0f ms, max %.0f ms (n=%d)%n", median(resume),
                resume[resume.length - 1], resume.length);
        System.out.printf("  of which checkpoint load (%d bytes, measured by the benchmark on the same S3): median "
                + "%.1f ms, max %.1f ms%n", bytes, median(load), load[load.length - 1]);
        System.out.printf("  resume minus checkpoint load: median %.0f ms (target <= 500 ms)%n",
                median(resume) - median(load));
        System.out.printf("work lost: at most %d epoch(s) re-done, at most %.0f ms since the checkpoint used; "
                + "checkpoint interval %d epochs = %.0f ms (target: lost <= one interval)%n", maxLost, maxLostMs,
                Integer.getInteger("bench.checkpointEvery", 2), interval);
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static ServiceProcess startTrainer(S3ProxyServer s3, int n) throws Exception {
        Map<String, String> p = new HashMap<>();
        p.put("trainyard.s3.endpoint", s3.endpoint());
        p.put("trainyard.s3.access-key", S3ProxyServer.ACCESS_KEY);
        p.put("trainyard.s3.secret-key", S3ProxyServer.SECRET_KEY);
        p.put("trainyard.s3.bucket", "bench");
        p.put("trainyard.trainer.pool", POOL);
        p.put("trainyard.trainer.id", "recovery-trainer-" + n);
        p.putAll(Map.of("ai.djl.pytorch.num_threads", "1", "ai.djl.pytorch.num_interop_threads", "1",
                "ai.djl.offline", "true"));
        return ServiceProcess.start("recovery-trainer-" + n, "trainer-service", p);
    }

    private static Connection connect() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        return factory.newConnection("bench-recovery");
    }

    private static void publish(Connection broker, TrainRun command) throws Exception {
        try (Channel channel = broker.createChannel()) {
            channel.confirmSelect();
            channel.basicPublish(Topology.COMMANDS_EXCHANGE, Topology.commandRoutingKey(POOL), true,
                    new AMQP.BasicProperties.Builder().contentType("application/json").deliveryMode(2).build(),
                    Messages.encode(command));
            channel.waitForConfirmsOrDie(10_000);
        }
    }

    private static void deleteQueue(Connection broker) throws Exception {
        try (Channel channel = broker.createChannel()) {
            channel.queueDelete(Topology.trainerQueue(POOL));
        }
    }
}
