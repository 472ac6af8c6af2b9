package io.trainyard.e2e;

import static io.restassured.RestAssured.given;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A Prometheus server of the machine's package, run as a child process on a free port with its own temporary data
 * directory: the scrape targets and rule files it is given, nothing else.
 */
final class PrometheusProcess implements AutoCloseable {

    private final Process process;
    private final Path dir;
    private final Path log;
    final int port;

    private PrometheusProcess(Process process, Path dir, Path log, int port) {
        this.process = process;
        this.dir = dir;
        this.log = log;
        this.port = port;
    }

    /**
     * The prometheus binary on the PATH. Without it the calling test is skipped on a workstation, but fails when
     * the environment variable CI is set: CI runs {@code bin/trainyard setup}, which installs the package, so a
     * missing binary there is a broken setup and must not pass silently.
     */
    static Path binary() {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(entry.isEmpty() ? "." : entry, "prometheus");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        String message = "prometheus is not on the PATH (bin/trainyard setup installs Debian's package prometheus)";
        if (System.getenv("CI") != null && !System.getenv("CI").isBlank()) {
            Assertions.fail(message + ": CI must run this check");
        }
        Assumptions.abort(message + ": the dashboard check is skipped outside CI");
        return null;
    }

    /**
     * Starts Prometheus scraping every second; {@code jobs} maps a job name to its metrics path and its targets
     * (host:port), {@code ruleFiles} are loaded as they are.
     */
    static PrometheusProcess start(Map<String, Job> jobs, List<Path> ruleFiles) throws IOException {
        Path binary = binary();
        Path dir = Files.createTempDirectory("trainyard-prometheus");
        StringBuilder config = new StringBuilder("""
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                """);
        ruleFiles.forEach(f -> config.append("  - \"").append(f.toAbsolutePath()).append("\"\n"));
        config.append("scrape_configs:\n");
        jobs.forEach((name, job) -> {
            config.append("  - job_name: ").append(name).append('\n')
                    .append("    metrics_path: ").append(job.metricsPath()).append('\n')
                    .append("    static_configs:\n      - targets: [");
            config.append(String.join(", ", job.targets().stream().map(t -> "\"" + t + "\"").toList()));
            config.append("]\n");
        });
        Path configFile = Files.writeString(dir.resolve("prometheus.yml"), config);
        int port = freePort();
        Path logs = Files.createDirectories(Path.of("target", "e2e-logs"));
        Path log = logs.resolve("prometheus.log");
        Process process = new ProcessBuilder(binary.toString(), "--config.file=" + configFile,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new PrometheusProcess(process, dir, log, port);
    }

    /** A scrape job: where the metrics are on each target, and the targets. */
    record Job(String metricsPath, List<String> targets) {
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    PrometheusProcess awaitReady(Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("prometheus exited with " + process.exitValue() + "; log:\n" + tail());
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(url() + "/-/ready").toURL().openConnection();
                c.setConnectTimeout(500);
                c.setReadTimeout(2000);
                if (c.getResponseCode() == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("prometheus not ready within " + timeout + "; log:\n" + tail());
    }

    /** An instant query through the HTTP API ({@code /api/v1/query}); the answer whatever its status. */
    Response query(String promql) {
        return given().baseUri(url()).queryParam("query", promql).get("/api/v1/query");
    }

    /** The series of an instant query's vector result; fails with Prometheus's error when the query is invalid. */
    List<Map<String, Object>> vector(String promql) {
        Response response = query(promql);
        JsonPath json = response.jsonPath();
        if (response.statusCode() != 200 || !"success".equals(json.getString("status"))) {
            throw new AssertionError("Prometheus rejected " + promql + ": HTTP " + response.statusCode() + " "
                    + json.getString("errorType") + ": " + json.getString("error"));
        }
        return json.getList("data.result");
    }

    /** The value of a query that gives one series, or null when it gives none. */
    Double scalar(String promql) {
        List<Map<String, Object>> result = vector(promql);
        if (result.isEmpty()) {
            return null;
        }
        @SuppressWarnings("unchecked")
        List<Object> value = (List<Object>) result.get(0).get("value");
        return Double.parseDouble(value.get(1).toString());
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
