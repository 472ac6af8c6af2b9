package io.trainyard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code trainyard list}. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List experiments, newest first.")
final class ListCommand implements Callable<Integer> {

    @ParentCommand
    TrainyardCli root;

    @Option(names = "--status", paramLabel = "STATUS",
            description = "Only experiments in this status: queued, running, succeeded, partially_failed, failed, "
                    + "cancelled.")
    String status;

    @Option(names = "--name", paramLabel = "TEXT", description = "Only experiments whose name contains TEXT.")
    String name;

    @Option(names = "--page", defaultValue = "0", description = "0-based page (default ${DEFAULT-VALUE}).")
    int page;

    @Option(names = "--size", defaultValue = "20", description = "Experiments per page (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--json", description = "Print the API's JSON as it is.")
    boolean json;

    @Override
    public Integer call() {
        Api api = root.api();
        PrintWriter out = root.spec.commandLine().getOut();
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("page", page);
        query.put("size", size);
        query.put("status", status);
        query.put("name", name);
        JsonNode listed = api.get(api.scheduler("/experiments" + Api.query(query)));
        if (json) {
            out.println(listed.toPrettyString());
            out.flush();
            return TrainyardCli.OK;
        }
        Table table = new Table("ID", "NAME", "STATUS", "RUNS", "SUCCEEDED", "FAILED", "RUNNING", "CREATED");
        for (JsonNode e : listed.path("items")) {
            table.row(e.path("id").asText(), e.path("name").asText(), Experiments.status(e), e.path("runs").asLong(),
                    Experiments.count(e, "succeeded"), Experiments.count(e, "failed"),
                    Experiments.count(e, "running"), e.path("createdAt").asText("-"));
        }
        long total = listed.path("total").asLong();
        if (table.size() == 0) {
            out.println(total == 0 ? "No experiments." : "No experiments on page " + page + ".");
        } else {
            table.print(out);
        }
        long pages = Math.max(1, (total + size - 1) / Math.max(1, size));
        out.println("page " + page + " of " + pages + " (" + total + " experiments)");
        out.flush();
        return TrainyardCli.OK;
    }
}
