package io.trainyard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code trainyard results ID [--csv]}. */
@Command(name = "results", mixinStandardHelpOptions = true,
        description = "An experiment's results: each completed run's final metrics, their mean, the failed runs.")
final class ResultsCommand implements Callable<Integer> {

    @ParentCommand
    TrainyardCli root;

    @Parameters(index = "0", paramLabel = "ID", description = "The experiment id.")
    String id;

    @Option(names = "--csv", description = "Print every completed run as CSV (runId,partition,attempt,metrics...).")
    boolean csv;

    @Option(names = "--json", description = "Print the API's JSON as it is.")
    boolean json;

    @Option(names = "--max-rows", paramLabel = "N", defaultValue = "100",
            description = "Most runs in the table (default ${DEFAULT-VALUE}).")
    int maxRows;

    @Override
    public Integer call() {
        Api api = root.api();
        PrintWriter out = root.spec.commandLine().getOut();
        if (csv) {
            out.print(api.getText(api.results("/experiments/" + id + "/results.csv"), "text/csv"));
            out.flush();
            return TrainyardCli.OK;
        }
        JsonNode results = api.get(api.results("/experiments/" + id + "/results"));
        if (json) {
            out.println(results.toPrettyString());
            out.flush();
            return TrainyardCli.OK;
        }
        Experiments.printResults(results, out, maxRows);
        return TrainyardCli.OK;
    }
}
