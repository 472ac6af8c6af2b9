package io.trainyard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code trainyard submit spec.yaml [--wait]}. */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = {"Submit an experiment spec (YAML or JSON; '-' reads standard input).",
            "With --wait, follow it until it finishes, then print each run's final metrics and their mean."})
final class SubmitCommand implements Callable<Integer> {

    @ParentCommand
    TrainyardCli root;

    @Parameters(index = "0", paramLabel = "SPEC", description = "The spec file: .yaml, .yml or .json.")
    String spec;

    @Option(names = {"-w", "--wait"}, description = "Follow the experiment until it finishes.")
    boolean waitForIt;

    @Option(names = "--poll", paramLabel = "MILLIS", defaultValue = "1000",
            description = "With --wait: how often the scheduler is asked, in milliseconds (default ${DEFAULT-VALUE}).")
    long pollMillis;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "0",
            description = "With --wait: give up after this many seconds (exit code 5); 0 waits for ever.")
    long timeoutSeconds;

    @Option(names = "--max-rows", paramLabel = "N", defaultValue = "100",
            description = "With --wait: most runs listed in the results table (default ${DEFAULT-VALUE}).")
    int maxRows;

    @Option(names = {"-q", "--quiet"}, description = "Print only the experiment id (and, with --wait, the results).")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        Api api = root.api();
        PrintWriter out = root.spec.commandLine().getOut();
        byte[] body = spec.equals("-") ? System.in.readAllBytes() : read(Path.of(spec));
        JsonNode created = api.post(api.scheduler("/experiments"), contentType(spec, body),
                HttpRequest.BodyPublishers.ofByteArray(body));
        String id = created.path("id").asText();
        if (quiet) {
            out.println(id);
        } else {
            out.println("Submitted experiment " + id + ": " + created.path("runs").asLong() + " runs");
            out.println("  " + api.scheduler("/experiments/" + id));
        }
        out.flush();
        if (!waitForIt) {
            return TrainyardCli.OK;
        }
        return new Follow(api, id, out, Duration.ofMillis(Math.max(50, pollMillis)),
                timeoutSeconds > 0 ? Duration.ofSeconds(timeoutSeconds) : null, maxRows, quiet).run();
    }

    private static byte[] read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no spec file " + file);
        }
        return Files.readAllBytes(file);
    }

    /** JSON for .json files and bodies that start with '{'; YAML otherwise. */
    static String contentType(String name, byte[] body) {
        String lower = name.toLowerCase();
        if (lower.endsWith(".json")) {
            return "application/json";
        }
        if (lower.endsWith(".yaml") || lower.endsWith(".yml")) {
            return "application/yaml";
        }
        String text = new String(body, 0, Math.min(body.length, 256), java.nio.charset.StandardCharsets.UTF_8)
                .stripLeading();
        return text.startsWith("{") ? "application/json" : "application/yaml";
    }

    /** Following an experiment: progress while it runs, results once it finished. */
    static final class Follow {

        private static final java.util.Set<String> FINAL_EVENTS = java.util.Set.of("run.completed", "run.failed",
                "run.cancelled");

        private final Api api;
        private final String id;
        private final PrintWriter out;
        private final Duration poll;
        private final Duration timeout;
        private final int maxRows;
        private final boolean quiet;
        /** Latest epoch / epochs of each run, from the results service's live events. */
        private final Map<String, int[]> epochs = new ConcurrentHashMap<>();
        /** The fraction last shown: the bar never moves back (the counts and the live events arrive apart). */
        private double shown;
        private final boolean interactive = System.console() != null;

        Follow(Api api, String id, PrintWriter out, Duration poll, Duration timeout, int maxRows, boolean quiet) {
            this.api = api;
            this.id = id;
            this.out = out;
            this.poll = poll;
            this.timeout = timeout;
            this.maxRows = maxRows;
            this.quiet = quiet;
        }

        int run() {
            startEvents();
            Instant start = Instant.now();
            String lastLine = "";
            Instant lastPrinted = Instant.EPOCH;
            JsonNode view;
            while (true) {
                view = api.get(api.scheduler("/experiments/" + id));
                String status = Experiments.status(view);
                if (!quiet) {
                    String line = progress(view, Duration.between(start, Instant.now()));
                    if (interactive) {
                        out.print("\r\033[K" + line);
                        out.flush();
                    } else {
                        // Without a terminal: a line when something changed, else one a minute.
                        String key = status + " " + Experiments.counts(view);
                        if (!key.equals(lastLine) || Duration.between(lastPrinted, Instant.now()).toSeconds() >= 60) {
                            out.println(line);
                            out.flush();
                            lastLine = key;
                            lastPrinted = Instant.now();
                        }
                    }
                }
                if (Experiments.FINISHED.contains(status)) {
                    break;
                }
                if (timeout != null && Duration.between(start, Instant.now()).compareTo(timeout) >= 0) {
                    if (interactive && !quiet) {
                        out.println();
                    }
                    out.println("Experiment " + id + " is still " + status + " after " + timeout.toSeconds()
                            + " s (--timeout); it goes on: trainyard status " + id);
                    out.flush();
                    return TrainyardCli.TIMED_OUT;
                }
                sleep(poll);
            }
            if (interactive && !quiet) {
                out.println();
            }
            out.println(Experiments.line(view));
            out.println();
            out.flush();
            Experiments.printResults(results(Experiments.count(view, "succeeded")), out, maxRows);
            return switch (Experiments.status(view)) {
                case "succeeded" -> TrainyardCli.OK;
                case "cancelled" -> TrainyardCli.CANCELLED;
                default -> TrainyardCli.RUNS_FAILED;
            };
        }

        /** The results, once the results service has those of every succeeded run (it consumes on its own). */
        private JsonNode results(long succeeded) {
            Instant deadline = Instant.now().plusSeconds(30);
            while (true) {
                JsonNode results = api.get(api.results("/experiments/" + id + "/results"));
                if (results.path("runs").size() >= succeeded || Instant.now().isAfter(deadline)) {
                    return results;
                }
                sleep(Duration.ofMillis(Math.min(poll.toMillis(), 500)));
            }
        }

        /** A progress bar of finished runs plus the epochs of running ones, and the counts. */
        String progress(JsonNode view, Duration elapsed) {
            long total = Math.max(1, view.path("runs").asLong());
            double partial = 0;
            long running = Experiments.count(view, "running");
            if (running > 0 && !epochs.isEmpty()) {
                partial = epochs.values().stream().filter(e -> e[0] < e[1]).mapToDouble(e -> (double) e[0] / e[1])
                        .sum();
                partial = Math.min(partial, running);
            }
            double done = Math.max(shown, Math.min(1, (Experiments.finished(view) + partial) / total));
            shown = done;
            int width = 30;
            int filled = (int) Math.round(done * width);
            return String.format(java.util.Locale.ROOT, "[%s%s] %3d%%  %d/%d runs finished (%s)  %s",
                    "#".repeat(filled), ".".repeat(width - filled), Math.round(done * 100),
                    Experiments.finished(view), view.path("runs").asLong(), Experiments.counts(view),
                    Table.seconds(elapsed.toMillis() / 1000.0));
        }

        /** Live epochs from the results service; without it the bar moves by finished runs only. */
        private void startEvents() {
            Thread.ofPlatform().daemon().name("trainyard-events").start(() -> {
                try {
                    api.events(api.results("/experiments/" + id + "/events"), event -> onEvent(event.name(),
                            event.data()));
                } catch (RuntimeException e) {
                    // the results service is optional for following: the scheduler has the counts
                }
            });
        }

        /** One live event: a run's epoch, or its end (then it counts among the finished runs only). */
        void onEvent(String name, String data) {
            boolean progressEvent = name.equals("run.progress");
            if (!progressEvent && !FINAL_EVENTS.contains(name)) {
                return;
            }
            try {
                JsonNode event = Api.JSON.readTree(data);
                String runId = event.path("run").path("runId").asText();
                if (progressEvent) {
                    epochs.put(runId, new int[] {event.path("epoch").asInt(), Math.max(1,
                            event.path("epochs").asInt(1))});
                } else {
                    epochs.remove(runId);
                }
            } catch (IOException e) {
                // an event we cannot read only leaves the bar a little behind
            }
        }

        private static void sleep(Duration duration) {
            try {
                Thread.sleep(duration);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
        }
    }
}
