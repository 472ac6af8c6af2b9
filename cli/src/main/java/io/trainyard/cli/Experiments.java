package io.trainyard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** How experiments, their counts and their results are shown. */
final class Experiments {

    static final Set<String> FINISHED = Set.of("succeeded", "failed", "partially_failed", "cancelled");

    private Experiments() {
    }

    static String status(JsonNode view) {
        return view.path("status").asText("unknown").toLowerCase();
    }

    static long count(JsonNode view, String state) {
        return view.path("counts").path(state).asLong(0);
    }

    /** Runs that finished, whatever the outcome. */
    static long finished(JsonNode view) {
        return count(view, "succeeded") + count(view, "failed") + count(view, "cancelled");
    }

    /** "succeeded 3, failed 1, running 2, queued 4" without the zero counts past the first two. */
    static String counts(JsonNode view) {
        List<String> parts = new ArrayList<>();
        parts.add("succeeded " + count(view, "succeeded"));
        parts.add("failed " + count(view, "failed"));
        for (String state : List.of("running", "queued", "pending", "cancelled")) {
            long n = count(view, state);
            if (n > 0) {
                parts.add(state + " " + n);
            }
        }
        return String.join(", ", parts);
    }

    /** One line: name, id, status, counts and elapsed time. */
    static String line(JsonNode view) {
        JsonNode elapsed = view.path("elapsedSeconds");
        return view.path("name").asText("") + " (" + view.path("id").asText() + "): " + status(view) + ", "
                + view.path("runs").asLong() + " runs: " + counts(view)
                + (elapsed.isNumber() ? ", elapsed " + Table.seconds(elapsed.asDouble()) : "");
    }

    /**
     * The table of an experiment's results: one row per completed run with its final metrics, a mean row from the
     * aggregate, and the failed runs with their reasons.
     */
    static void printResults(JsonNode results, PrintWriter out, int maxRows) {
        List<JsonNode> runs = new ArrayList<>();
        results.path("runs").forEach(runs::add);
        runs.sort(Comparator.comparing((JsonNode r) -> r.path("partition").asText(""))
                .thenComparing(r -> r.path("runId").asText()));
        TreeSet<String> metrics = new TreeSet<>();
        runs.forEach(r -> r.path("metrics").fieldNames().forEachRemaining(metrics::add));
        results.path("aggregate").path("metrics").fieldNames().forEachRemaining(metrics::add);

        List<String> header = new ArrayList<>(List.of("RUN", "PARTITION"));
        metrics.forEach(m -> header.add(m.toUpperCase()));
        Table table = new Table(header.toArray(String[]::new));
        for (JsonNode run : runs.subList(0, Math.min(runs.size(), maxRows))) {
            List<Object> cells = new ArrayList<>(List.of(shortId(run.path("runId").asText()),
                    run.path("partition").asText("-")));
            metrics.forEach(m -> cells.add(Table.number(number(run.path("metrics").path(m)))));
            table.row(cells.toArray());
        }
        JsonNode aggregate = results.path("aggregate");
        if (aggregate.path("count").asLong(0) > 0) {
            List<Object> cells = new ArrayList<>(List.of("mean", aggregate.path("count").asLong() + " runs"));
            metrics.forEach(m -> cells.add(Table.number(number(aggregate.path("metrics").path(m).path("mean")))));
            table.rule().row(cells.toArray());
        }
        if (runs.isEmpty()) {
            out.println("No completed run has results yet.");
        } else {
            table.print(out);
            if (runs.size() > maxRows) {
                out.println("... and " + (runs.size() - maxRows) + " more runs (trainyard results "
                        + results.path("experimentId").asText("ID") + " --csv has them all)");
            }
        }
        JsonNode failed = results.path("failed");
        if (failed.size() > 0) {
            out.println();
            out.println(failed.size() + " run(s) failed:");
            int shown = 0;
            for (JsonNode run : failed) {
                if (shown++ == maxRows) {
                    out.println("  ...");
                    break;
                }
                out.println("  " + shortId(run.path("runId").asText()) + ": " + run.path("reason").asText("?"));
            }
        }
        out.flush();
    }

    static String shortId(String id) {
        return id.length() > 8 ? id.substring(0, 8) : id;
    }

    private static Double number(JsonNode node) {
        return node.isNumber() ? node.asDouble() : null;
    }
}
