package io.trainyard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.FileNotFoundException;
import java.io.PrintWriter;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code trainyard datasets upload|list}. */
@Command(name = "datasets", mixinStandardHelpOptions = true, description = "Upload and list datasets.",
        subcommands = {DatasetsCommand.Upload.class, DatasetsCommand.ListDatasets.class})
final class DatasetsCommand {

    @ParentCommand
    TrainyardCli root;

    @Command(name = "upload", mixinStandardHelpOptions = true,
            description = {"Upload a CSV (UTF-8, a header line naming the columns) as a dataset.",
                "The scheduler checks it as it streams in and answers with the line and column of a problem."})
    static final class Upload implements Callable<Integer> {

        @ParentCommand
        DatasetsCommand datasets;

        @Parameters(index = "0", paramLabel = "FILE", description = "The CSV file.")
        Path file;

        @Option(names = "--id", required = true, paramLabel = "ID",
                description = "The dataset id: lower-case letters, digits, '.', '_' or '-'.")
        String id;

        @Option(names = "--partition-column", paramLabel = "COLUMN",
                description = "The column whose distinct values become partitions (one run each).")
        String partitionColumn;

        @Option(names = "--replace", description = "Replace a dataset of the same id.")
        boolean replace;

        @Option(names = "--visibility", paramLabel = "VISIBILITY",
                description = "private (the scheduler's default: only you and the admins see it) or shared (every "
                        + "user may read it and train on it).")
        String visibility;

        @Override
        public Integer call() throws FileNotFoundException {
            TrainyardCli root = datasets.root;
            Api api = root.api();
            PrintWriter out = root.spec.commandLine().getOut();
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("no file " + file);
            }
            Map<String, Object> query = new LinkedHashMap<>();
            query.put("id", id);
            query.put("partitionColumn", partitionColumn);
            query.put("replace", replace ? "true" : null);
            query.put("visibility", visibility);
            // Streamed from the file, never read whole into memory.
            JsonNode meta = api.post(api.scheduler("/datasets" + Api.query(query)), "text/csv",
                    HttpRequest.BodyPublishers.ofFile(file));
            out.println("Uploaded dataset " + meta.path("id").asText() + ": " + meta.path("rows").asLong()
                    + " rows, " + meta.path("bytes").asLong() + " bytes");
            List<String> columns = new ArrayList<>();
            meta.path("columns").forEach(c -> columns.add(c.path("name").asText() + " (" + c.path("type").asText()
                    + ")"));
            out.println("  columns: " + String.join(", ", columns));
            if (!meta.path("partitionColumn").isNull() && !meta.path("partitionColumn").isMissingNode()) {
                out.println("  partitions: " + meta.path("partitions").size() + " values of "
                        + meta.path("partitionColumn").asText());
            }
            out.flush();
            return TrainyardCli.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List datasets, by id.")
    static final class ListDatasets implements Callable<Integer> {

        @ParentCommand
        DatasetsCommand datasets;

        @Option(names = "--page", defaultValue = "0", description = "0-based page (default ${DEFAULT-VALUE}).")
        int page;

        @Option(names = "--size", defaultValue = "20", description = "Datasets per page (default ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--json", description = "Print the API's JSON as it is.")
        boolean json;

        @Override
        public Integer call() {
            TrainyardCli root = datasets.root;
            Api api = root.api();
            PrintWriter out = root.spec.commandLine().getOut();
            JsonNode listed = api.get(api.scheduler("/datasets" + Api.query(Map.of("page", page, "size", size))));
            if (json) {
                out.println(listed.toPrettyString());
                out.flush();
                return TrainyardCli.OK;
            }
            Table table = new Table("ID", "ROWS", "COLUMNS", "PARTITION COLUMN", "PARTITIONS", "BYTES", "CREATED");
            for (JsonNode d : listed.path("items")) {
                List<String> columns = new ArrayList<>();
                d.path("columns").forEach(c -> columns.add(c.path("name").asText()));
                table.row(d.path("id").asText(), d.path("rows").asLong(), String.join(",", columns),
                        d.path("partitionColumn").asText("-"), d.path("partitions").size(), d.path("bytes").asLong(),
                        d.path("createdAt").asText("-"));
            }
            long total = listed.path("total").asLong();
            if (table.size() == 0) {
                out.println(total == 0 ? "No datasets." : "No datasets on page " + page + ".");
            } else {
                table.print(out);
            }
            out.println("page " + page + " of " + Math.max(1, (total + size - 1) / Math.max(1, size)) + " ("
                    + total + " datasets)");
            out.flush();
            return TrainyardCli.OK;
        }
    }
}
