package io.trainyard.storage.testing;

import io.trainyard.storage.ObjectStore;
import io.trainyard.storage.S3Settings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A real S3 server for tests: S3Proxy with its filesystem backend, run as a child process on a free port.
 *
 * <p>It runs out of process because its fat jar bundles Jetty, Jackson and Guava versions that would clash
 * with a Quarkus test's classpath. The jar's path comes from the system property {@code trainyard.s3proxy.jar},
 * which the build sets after copying the jar from Maven Central.
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final String ACCESS_KEY = "trainyard-test";
    public static final String SECRET_KEY = "trainyard-test-secret";

    private volatile Process process;
    private final Path dir;
    private final int port;

    private S3ProxyServer(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    private static Process launch(String jar, Path dir) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-Xmx256m", "-jar", jar, "--properties",
                dir.resolve("s3proxy.properties").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("s3proxy.log").toFile()))
                .start();
    }

    /**
     * Stops the server, keeps it down for {@code downtime}, then starts it again on the same port with the same data:
     * what clients see when the S3 service restarts.
     */
    public void restart(Duration downtime) {
        process.destroy();
        try {
            process.waitFor();
            Thread.sleep(downtime.toMillis());
            process = launch(System.getProperty("trainyard.s3proxy.jar"), dir);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot restart S3Proxy", e);
        }
        awaitReady(Duration.ofSeconds(60));
    }

    /** Starts a server and waits until it answers. */
    public static S3ProxyServer start() {
        String jar = System.getProperty("trainyard.s3proxy.jar");
        if (jar == null || !Files.isRegularFile(Paths.get(jar))) {
            throw new IllegalStateException("S3Proxy jar not found at '" + jar + "': run the tests through Maven "
                    + "(it copies the jar in process-test-resources) or set -Dtrainyard.s3proxy.jar");
        }
        try {
            Path dir = Files.createTempDirectory("trainyard-s3proxy-");
            Path data = Files.createDirectories(dir.resolve("data"));
            int port = freePort();
            Path properties = dir.resolve("s3proxy.properties");
            Files.write(properties, List.of(
                    "s3proxy.endpoint=http://127.0.0.1:" + port,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY,
                    "s3proxy.credential=" + SECRET_KEY,
                    "jclouds.provider=filesystem",
                    "jclouds.filesystem.basedir=" + data));
            Process process = launch(jar, dir);
            S3ProxyServer server = new S3ProxyServer(process, dir, port);
            server.awaitReady(Duration.ofSeconds(60));
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start S3Proxy", e);
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Settings for a fresh bucket of this server. */
    public S3Settings settings(String bucket) {
        return new S3Settings(endpoint(), ACCESS_KEY, SECRET_KEY, bucket, "us-east-1");
    }

    /** A store on a new, empty bucket, so tests do not see each other's objects. */
    public ObjectStore newBucket() {
        return ObjectStore.connect(settings("test-" + UUID.randomUUID().toString().substring(0, 8)));
    }

    private void awaitReady(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Proxy exited with " + process.exitValue() + ": " + log());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep();
            }
        }
        throw new IllegalStateException("S3Proxy did not listen on " + port + " within " + timeout + ": " + log());
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("s3proxy.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
