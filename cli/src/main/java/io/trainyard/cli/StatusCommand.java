package io.trainyard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code trainyard status ID}. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "An experiment and its runs.")
final class StatusCommand implements Callable<Integer> {

    @ParentCommand
    TrainyardCli root;

    @Parameters(index = "0", paramLabel = "ID", description = "The experiment id.")
    String id;

    @Option(names = "--page", defaultValue = "0", description = "0-based page of runs (default ${DEFAULT-VALUE}).")
    int page;

    @Option(names = "--size", defaultValue = "100", description = "Runs per page (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--json", description = "Print the API's JSON as it is (the experiment, then its runs).")
    boolean json;

    @Override
    public Integer call() {
        Api api = root.api();
        PrintWriter out = root.spec.commandLine().getOut();
        JsonNode view = api.get(api.scheduler("/experiments/" + id));
        JsonNode runs = api.get(api.scheduler("/experiments/" + id + "/runs" + Api.query(Map.of("page", page,
                "size", size))));
        if (json) {
            out.println(view.toPrettyString());
            out.println(runs.toPrettyString());
            out.flush();
            return TrainyardCli.OK;
        }
        out.println(Experiments.line(view));
        Table table = new Table("RUN", "PARTITION", "POINT", "STATE", "EPOCH", "ATTEMPTS", "TRAINER", "REASON");
        for (JsonNode run : runs.isArray() ? runs : runs.path("items")) {
            table.row(run.path("id").asText(), run.path("partition").asText("-"), run.path("searchPoint").asInt(),
                    run.path("state").asText(), run.path("epoch").asInt() + "/" + run.path("epochs").asInt(),
                    run.path("attempts").asInt(), run.path("trainer").asText("-"),
                    run.path("reason").isNull() || run.path("reason").isMissingNode() ? "" : run.path("reason").asText());
        }
        out.println();
        table.print(out);
        long total = view.path("runs").asLong();
        if (total > (long) (page + 1) * size || page > 0) {
            out.println("runs page " + page + " (" + size + " a page) of " + total + " runs: --page N for others");
        }
        out.flush();
        return TrainyardCli.OK;
    }
}
