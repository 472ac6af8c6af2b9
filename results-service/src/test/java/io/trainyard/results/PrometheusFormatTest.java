package io.trainyard.results;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quarkus.test.junit.QuarkusTest;
import java.io.File;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@code promtool check metrics} finds nothing to complain about in /q/metrics (skipped without promtool). */
@QuarkusTest
class PrometheusFormatTest {

    @Test
    void promtoolAcceptsTheMetricsPage() throws Exception {
        Path promtool = promtool();
        assumeTrue(promtool != null, "promtool is not on the PATH");
        String page = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(page).contains("trainyard_");

        Process check = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = check.getOutputStream()) {
            in.write(page.getBytes(StandardCharsets.UTF_8));
        }
        String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
        List<String> problems = report.lines()
                .filter(line -> !isCounterSampleOfDocumentedFamily(line, page))
                .toList();
        assertThat(problems).as("promtool check metrics: " + report).isEmpty();
    }

    /*
     * The Prometheus client names a counter family without _total in HELP/TYPE and its samples with _total;
     * promtool 2.42 (Debian) lints the samples as a family of their own and says "no help text". Accepted only when
     * the page really declares the family as a counter with HELP text.
     */
    private static boolean isCounterSampleOfDocumentedFamily(String line, String page) {
        String suffix = "_total no help text";
        if (!line.endsWith(suffix)) {
            return false;
        }
        String family = line.substring(0, line.length() - suffix.length());
        return page.contains("# TYPE " + family + " counter\n") && page.contains("# HELP " + family + " ");
    }

    private static Path promtool() {
        String path = System.getenv("PATH");
        return path == null ? null : Stream.of(path.split(File.pathSeparator))
                .map(dir -> Path.of(dir, "promtool"))
                .filter(Files::isExecutable)
                .findFirst().orElse(null);
    }
}
