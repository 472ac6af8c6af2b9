package io.trainyard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code trainyard cancel ID [--run RUNID]}. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = {"Cancel an experiment's unfinished runs, or one run of it.",
            "Queued runs never train; running ones stop within one epoch. Cancelling twice is harmless."})
final class CancelCommand implements Callable<Integer> {

    @ParentCommand
    TrainyardCli root;

    @Parameters(index = "0", paramLabel = "ID", description = "The experiment id.")
    String id;

    @Option(names = "--run", paramLabel = "RUNID", description = "Cancel only this run of the experiment.")
    String run;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why; kept with the cancelled runs.")
    String reason;

    @Override
    public Integer call() {
        Api api = root.api();
        PrintWriter out = root.spec.commandLine().getOut();
        String path = "/experiments/" + id + (run == null ? "" : "/runs/" + run) + "/cancel";
        Map<String, Object> body = new HashMap<>();
        if (reason != null) {
            body.put("reason", reason);
        }
        JsonNode view = api.postJson(api.scheduler(path), body);
        out.println((run == null ? "Cancelled experiment " + id : "Cancelled run " + run) + ".");
        if (view.isObject()) {
            out.println(Experiments.line(view));
        }
        out.flush();
        return TrainyardCli.OK;
    }
}
