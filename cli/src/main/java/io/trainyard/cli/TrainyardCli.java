package io.trainyard.cli;

import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The {@code trainyard} command. */
@Command(name = "trainyard", mixinStandardHelpOptions = true, version = "trainyard 0.1.0",
        description = {"Submit experiments to trainyard and follow them, upload datasets, read results.",
            "Every call needs a bearer token: get one with bin/trainyard token USER ROLE (local stack; ROLE is admin, "
                    + "researcher or viewer) and pass it with --token or the environment variable TRAINYARD_TOKEN, "
                    + "e.g. export TRAINYARD_TOKEN=$(bin/trainyard token alice researcher)."},
        subcommands = {SubmitCommand.class, ListCommand.class, StatusCommand.class, CancelCommand.class,
            DatasetsCommand.class, ResultsCommand.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  done; with --wait: every run succeeded",
            "  1  the API answered an error, or could not be reached",
            "  2  wrong usage",
            "  " + TrainyardCli.RUNS_FAILED + "  --wait: runs failed",
            "  " + TrainyardCli.CANCELLED + "  --wait: the experiment was cancelled",
            "  " + TrainyardCli.TIMED_OUT + "  --wait: --timeout passed before the experiment finished"})
public final class TrainyardCli {

    static final int OK = 0;
    static final int ERROR = 1;
    static final int RUNS_FAILED = 3;
    static final int CANCELLED = 4;
    static final int TIMED_OUT = 5;

    @Spec
    CommandSpec spec;

    @Option(names = "--scheduler-url", scope = ScopeType.INHERIT, paramLabel = "URL",
            defaultValue = "${env:TRAINYARD_SCHEDULER_URL:-http://localhost:8080}",
            description = "The scheduler (env TRAINYARD_SCHEDULER_URL; default ${DEFAULT-VALUE}).")
    String schedulerUrl;

    @Option(names = "--results-url", scope = ScopeType.INHERIT, paramLabel = "URL",
            defaultValue = "${env:TRAINYARD_RESULTS_URL:-http://localhost:8082}",
            description = "The results service (env TRAINYARD_RESULTS_URL; default ${DEFAULT-VALUE}).")
    String resultsUrl;

    @Option(names = "--token", scope = ScopeType.INHERIT, paramLabel = "TOKEN",
            defaultValue = "${env:TRAINYARD_TOKEN}",
            description = "Sent as 'Authorization: Bearer TOKEN' (env TRAINYARD_TOKEN); the APIs require one. "
                    + "bin/trainyard token USER ROLE prints one for the local stack.")
    String token;

    @Option(names = "--http-timeout", scope = ScopeType.INHERIT, paramLabel = "SECONDS", defaultValue = "60",
            description = "Longest wait for one answer, in seconds (default ${DEFAULT-VALUE}).")
    long httpTimeoutSeconds;

    Api api() {
        return new Api(schedulerUrl, resultsUrl, token, Duration.ofSeconds(Math.max(1, httpTimeoutSeconds)));
    }

    /** A command line with the error handling of trainyard: API errors printed readably, exit code 1. */
    public static CommandLine commandLine() {
        CommandLine line = new CommandLine(new TrainyardCli());
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            if (e instanceof ApiException api) {
                api.print(err);
            } else if (e instanceof IllegalArgumentException || e instanceof java.io.IOException) {
                err.println("error: " + e.getMessage());
            } else {
                throw e;
            }
            err.flush();
            return ERROR;
        });
        return line;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
