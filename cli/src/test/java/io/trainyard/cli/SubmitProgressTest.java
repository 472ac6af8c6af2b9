package io.trainyard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The --wait progress bar: finished runs plus the epochs of running ones, never moving back. */
class SubmitProgressTest {

    private final SubmitCommand.Follow follow = new SubmitCommand.Follow(null, "e", new PrintWriter(
            new StringWriter()), Duration.ofMillis(50), Duration.ofMinutes(1), 10, true);

    private static JsonNode view(int succeeded, int running, int queued) throws Exception {
        return Api.JSON.readTree("""
                {"runs": 4, "counts": {"succeeded": %d, "failed": 0, "running": %d, "queued": %d}}"""
                .formatted(succeeded, running, queued));
    }

    private static String progress(String run, int epoch) {
        return """
                {"run": {"runId": "%s"}, "epoch": %d, "epochs": 10}""".formatted(run, epoch);
    }

    private String percent(JsonNode view) {
        return follow.progress(view, Duration.ZERO).replaceAll("^\\[[#.]+\\]\\s+(\\d+)%.*$", "$1");
    }

    @Test
    void aFinishedRunCountsOnceAndTheBarNeverMovesBack() throws Exception {
        follow.onEvent("run.progress", progress("a", 9));
        follow.onEvent("run.progress", progress("b", 2));
        assertThat(percent(view(0, 2, 2))).isEqualTo("28"); // (0.9 + 0.2) / 4

        // a completes: it is one finished run, no longer also 9 epochs of a running one
        follow.onEvent("run.completed", progress("a", 10));
        assertThat(percent(view(1, 1, 2))).isEqualTo("30"); // (1 + 0.2) / 4

        follow.onEvent("run.progress", progress("c", 0));
        follow.onEvent("run.progress", progress("b", 8));
        follow.onEvent("run.failed", progress("c", 0));
        assertThat(percent(view(2, 1, 0))).isEqualTo("70"); // (2 + 0.8) / 4

        // a poll of the scheduler older than the events (it says 1 finished): the bar stays where it was
        assertThat(percent(view(1, 2, 1))).isEqualTo("70");
        follow.onEvent("something.else", "not json");
        assertThat(percent(view(4, 0, 0))).isEqualTo("100");
    }
}
