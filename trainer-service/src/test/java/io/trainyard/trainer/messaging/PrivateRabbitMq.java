package io.trainyard.trainer.messaging;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * A RabbitMQ node of a test's own, started from the installed Debian package and removed again: its own node name,
 * AMQP and distribution ports (both on 127.0.0.1), data, logs, Erlang cookie and config in one temporary directory,
 * and no plugins (so it does not compete with the machine's node for 15672/15692).
 *
 * <p>It exists to set what cannot be set on the shared node without disturbing everyone: {@code consumer_timeout}
 * (not settable per queue on 3.10, NOTES.md) and how often it is checked. RabbitMQ 3.10 checks the timeout only
 * when a channel "ticks" ({@code rabbit_channel}: every {@code channel_tick_interval}, 60 s by default, the channel
 * looks at its oldest unacked delivery and closes itself with PRECONDITION_FAILED if that is older than the timeout),
 * so with the default a delivery may be held up to timeout + 60 s unpunished; this node ticks every
 * {@code tickInterval}, set in {@code advanced.config} since the new-style config file has no key for it.
 */
final class PrivateRabbitMq implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PrivateRabbitMq.class);
    /** The server script of the Debian package ({@code bin/trainyard setup} installs it); a property moves it. */
    private static final String SERVER = System.getProperty("trainyard.rabbitmq-server",
            "/usr/lib/rabbitmq/bin/rabbitmq-server");

    private final Process process;
    private final Path dir;
    private final int port;
    private final Thread cleanupOnExit;

    private PrivateRabbitMq(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
        // The test resource's stop() covers failing tests; this covers a JVM that exits without stopping resources.
        this.cleanupOnExit = new Thread(this::stopAndRemove, "private-rabbitmq-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanupOnExit);
    }

    /** Starts a node whose consumers' deliveries time out after {@code consumerTimeout}, checked every tick. */
    static PrivateRabbitMq start(Duration consumerTimeout, Duration tickInterval) {
        if (!Files.isExecutable(Path.of(SERVER))) {
            throw new IllegalStateException(SERVER + " not found: install the Debian package rabbitmq-server "
                    + "(bin/trainyard setup does) or point -Dtrainyard.rabbitmq-server at its server script");
        }
        Path dir;
        int port;
        int distributionPort;
        Process process;
        try {
            dir = Files.createTempDirectory("trainyard-rabbitmq-");
            port = freePort();
            distributionPort = freePort();
            Files.writeString(dir.resolve("enabled_plugins"), "[].\n");
            Files.writeString(dir.resolve("rabbitmq-env.conf"), ""); // not the machine's /etc/rabbitmq one
            Files.writeString(dir.resolve("rabbitmq.conf"), String.join("\n",
                    "listeners.tcp.default = 127.0.0.1:" + port,
                    "consumer_timeout = " + consumerTimeout.toMillis(),
                    ""));
            Files.writeString(dir.resolve("advanced.config"),
                    "[{rabbit, [{channel_tick_interval, " + tickInterval.toMillis() + "}]}].\n");
            ProcessBuilder builder = new ProcessBuilder(SERVER)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile());
            Map<String, String> env = builder.environment();
            env.keySet().removeIf(k -> k.startsWith("RABBITMQ_") || k.startsWith("ERL_"));
            env.putAll(Map.of(
                    "HOME", dir.toString(), // the Erlang cookie goes here, not into root's home
                    "RABBITMQ_NODENAME", "trainyard-test-" + UUID.randomUUID().toString().substring(0, 8)
                            + "@localhost",
                    "RABBITMQ_DIST_PORT", Integer.toString(distributionPort),
                    "RABBITMQ_CONF_ENV_FILE", dir.resolve("rabbitmq-env.conf").toString(),
                    "RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString(),
                    "RABBITMQ_ADVANCED_CONFIG_FILE", dir.resolve("advanced.config").toString(),
                    "RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString(),
                    "RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString(),
                    "RABBITMQ_LOG_BASE", dir.resolve("log").toString(),
                    "ERL_EPMD_ADDRESS", "127.0.0.1"));
            env.put("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}");
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a private RabbitMQ node", e);
        }
        PrivateRabbitMq node = new PrivateRabbitMq(process, dir, port);
        try {
            node.awaitReady(Duration.ofSeconds(90));
        } catch (RuntimeException e) {
            String log = node.log();
            node.close();
            throw new IllegalStateException(e.getMessage() + "; its output:\n" + log, e);
        }
        LOG.infof("private RabbitMQ node on 127.0.0.1:%d in %s (consumer_timeout %s, checked every %s)", port, dir,
                consumerTimeout, tickInterval);
        return node;
    }

    int port() {
        return port;
    }

    Path dir() {
        return dir;
    }

    /** A connection to this node as guest (allowed: it is on 127.0.0.1). */
    Connection connect(String name) throws Exception {
        return connect(port, name);
    }

    /** A connection as guest to the node listening on 127.0.0.1:{@code port}. */
    static Connection connect(int port, String name) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(port);
        return factory.newConnection(name);
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() - deadline < 0) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the private RabbitMQ node exited with " + process.exitValue());
            }
            try (Connection ignored = connect("readiness")) {
                return;
            } catch (Exception e) {
                last = e;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("the private RabbitMQ node did not accept AMQP on " + port + " within "
                + timeout + " (" + last + ")");
    }

    private String log() {
        try (Stream<Path> files = Files.walk(dir)) {
            StringBuilder text = new StringBuilder();
            for (Path file : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                List<String> lines = Files.readAllLines(file);
                text.append("== ").append(file).append('\n')
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())))
                        .append('\n');
            }
            return text.toString();
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        stopAndRemove();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
        } catch (IllegalStateException alreadyExiting) {
            // the hook is running or has run: nothing left to do
        }
    }

    private synchronized void stopAndRemove() {
        if (!Files.exists(dir)) {
            return;
        }
        // The server script traps SIGTERM and stops the node in an orderly way (about 3 s); whatever is left after
        // that is killed. The descendants are listed first: once the script is gone they would be orphans.
        List<ProcessHandle> tree = Stream.concat(Stream.of(process.toHandle()), process.descendants()).toList();
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                LOG.warn("the private RabbitMQ node did not stop on SIGTERM within 30 s: killing it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tree.forEach(p -> {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> p).join();
            }
        });
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            LOG.warnf("could not remove %s: %s", dir, e);
        }
        LOG.infof("private RabbitMQ node stopped, %s removed", dir);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
