package io.trainyard.cli;

import static io.trainyard.cli.FakeApi.json;
import static io.trainyard.cli.FakeApi.problem;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The commands against a stand-in of the REST APIs: what they send, what they print, how they exit. */
class TrainyardCliTest {

    private static final String ID = "3f2c1a9e-8d4b-4c7a-9e1f-0b2d3c4e5f60";
    private static final String RUN_A = "aaaaaaaa-0000-4000-8000-000000000001";
    private static final String RUN_B = "bbbbbbbb-0000-4000-8000-000000000002";

    @TempDir
    Path dir;

    private FakeApi api;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void start() throws IOException {
        api = new FakeApi();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    /** Runs the command with both services at the fake API; returns the exit code. */
    private int run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--scheduler-url", api.url(), "--results-url", api.url() + "/"));
        CommandLine line = TrainyardCli.commandLine();
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        return line.execute(all.toArray(String[]::new));
    }

    private Path specFile(String name) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, "name: demo\ndataset: city-demand\nmodel:\n  kind: mlp-forecaster\n");
        return file;
    }

    private static String view(String status, int succeeded, int failed, int running, int cancelled) {
        return """
                {"id":"%s","name":"demo","status":"%s","runs":2,"counts":{"pending":0,"queued":%d,"running":%d,
                 "succeeded":%d,"failed":%d,"cancelled":%d},"elapsedSeconds":12.5}
                """.formatted(ID, status, 2 - succeeded - failed - running - cancelled, running, succeeded, failed,
                cancelled);
    }

    private static final String RESULTS = """
            {"experimentId":"%s","runs":[
              {"runId":"%s","partition":"Berlin","metrics":{"mae":2.0,"rmse":3.0},"attempt":1},
              {"runId":"%s","partition":"Athens","metrics":{"mae":4.0,"rmse":5.0},"attempt":1}],
             "aggregate":{"count":2,"metrics":{"mae":{"mean":3.0,"min":2.0,"max":4.0,"count":2},
                                               "rmse":{"mean":4.0,"min":3.0,"max":5.0,"count":2}}},
             "failed":[]}
            """.formatted(ID, RUN_A, RUN_B);

    private void submission() {
        api.on("POST /experiments", json(201, "{\"id\":\"" + ID + "\",\"runs\":2}"));
    }

    @Test
    void submitSendsTheYamlAsItIsWithTheToken() throws IOException {
        submission();
        Path spec = specFile("spec.yaml");

        assertThat(run("submit", spec.toString(), "--token", "s3cret")).isZero();

        FakeApi.Request request = api.requests("POST", "/experiments").get(0);
        assertThat(request.header("Content-Type")).isEqualTo("application/yaml");
        assertThat(request.header("Authorization")).isEqualTo("Bearer s3cret");
        assertThat(request.body()).isEqualTo(Files.readAllBytes(spec));
        assertThat(out.toString()).contains("Submitted experiment " + ID + ": 2 runs");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void jsonSpecsGoAsJsonAndNoTokenMeansNoAuthorization() throws IOException {
        submission();
        Path spec = dir.resolve("spec.json");
        Files.writeString(spec, "{\"name\":\"demo\"}");

        assertThat(run("submit", "-q", spec.toString())).isZero();

        FakeApi.Request request = api.requests("POST", "/experiments").get(0);
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.header("Authorization")).isNull();
        assertThat(out.toString().strip()).isEqualTo(ID);
    }

    @Test
    void waitFollowsTheExperimentAndPrintsEachRunAndTheMean() throws IOException {
        submission();
        api.on("GET /experiments/" + ID, json(200, view("queued", 0, 0, 0, 0)),
                json(200, view("running", 1, 0, 1, 0)), json(200, view("succeeded", 2, 0, 0, 0)));
        api.on("GET /experiments/" + ID + "/events", new FakeApi.Answer(200, "text/event-stream",
                "event: run.progress\ndata: {\"run\":{\"runId\":\"" + RUN_A + "\"},\"epoch\":3,\"epochs\":10}\n\n"));
        api.on("GET /experiments/" + ID + "/results", json(200, RESULTS));

        int exit = run("submit", specFile("spec.yml").toString(), "--wait", "--poll", "50");

        assertThat(exit).isZero();
        assertThat(api.requests("GET", "/experiments/" + ID)).hasSize(3);
        String printed = out.toString();
        assertThat(printed).contains("demo (" + ID + "): succeeded, 2 runs: succeeded 2, failed 0");
        assertThat(printed).contains("runs finished");
        List<String> lines = printed.lines().toList();
        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("RUN")).findFirst().orElseThrow());
        assertThat(lines.get(header)).contains("PARTITION").contains("MAE").contains("RMSE");
        // By partition; then the mean of the aggregate.
        assertThat(lines.get(header + 1)).startsWith("bbbbbbbb").contains("Athens").contains("4.0000");
        assertThat(lines.get(header + 2)).startsWith("aaaaaaaa").contains("Berlin").contains("2.0000");
        assertThat(lines.get(header + 4)).startsWith("mean").contains("2 runs").contains("3.0000")
                .contains("4.0000");
    }

    @Test
    void waitExitsNonZeroWhenRunsFailedOrTheExperimentWasCancelled() throws IOException {
        submission();
        api.on("GET /experiments/" + ID, json(200, view("partially_failed", 1, 1, 0, 0)));
        api.on("GET /experiments/" + ID + "/results", json(200, """
                {"experimentId":"%s","runs":[{"runId":"%s","partition":"Berlin","metrics":{"mae":2.0}}],
                 "aggregate":{"count":1,"metrics":{"mae":{"mean":2.0}}},
                 "failed":[{"runId":"%s","reason":"dataset has no rows for Athens"}]}
                """.formatted(ID, RUN_A, RUN_B)));

        assertThat(run("submit", specFile("spec.yaml").toString(), "--wait", "--poll", "50"))
                .isEqualTo(TrainyardCli.RUNS_FAILED);
        assertThat(out.toString()).contains("1 run(s) failed:").contains("bbbbbbbb: dataset has no rows for Athens");

        api.replace("GET /experiments/" + ID, json(200, view("cancelled", 1, 0, 0, 1)));
        assertThat(run("submit", specFile("spec.yaml").toString(), "--wait", "--poll", "50"))
                .isEqualTo(TrainyardCli.CANCELLED);
    }

    @Test
    void waitGivesUpAfterTheTimeout() throws IOException {
        submission();
        api.on("GET /experiments/" + ID, json(200, view("running", 0, 0, 2, 0)));

        assertThat(run("submit", specFile("spec.yaml").toString(), "--wait", "--poll", "100", "--timeout", "1"))
                .isEqualTo(TrainyardCli.TIMED_OUT);
        assertThat(out.toString()).contains("still running after 1 s");
    }

    @Test
    void apiProblemsArePrintedReadablyOnStandardError() throws IOException {
        api.on("POST /experiments", problem(400, """
                {"type":"https://trainyard.io/problems/invalid-request","title":"Invalid request","status":400,
                 "detail":"model.kind: unknown; training.epochs: must be at least 1",
                 "violations":[{"field":"model.kind","message":"'mlp' is not a known model kind: mlp-forecaster"},
                               {"field":"training.epochs","message":"must be greater than or equal to 1"}]}
                """));

        assertThat(run("submit", specFile("spec.yaml").toString())).isEqualTo(TrainyardCli.ERROR);

        assertThat(err.toString()).contains("error: POST " + api.url() + "/experiments answered HTTP 400 "
                + "Invalid request")
                .contains("  - model.kind: 'mlp' is not a known model kind: mlp-forecaster")
                .contains("  - training.epochs: must be greater than or equal to 1")
                .doesNotContain("\"violations\"");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aRefusedCallSaysHowToGetATokenAndHowToPassIt() {
        api.on("GET /experiments", problem(401, """
                {"type":"https://trainyard.io/problems/unauthorized","title":"Unauthorized","status":401,
                 "detail":"a bearer token is required: send 'Authorization: Bearer <token>'"}
                """));

        assertThat(run("list")).isEqualTo(TrainyardCli.ERROR);
        assertThat(err.toString()).contains("answered HTTP 401 Unauthorized")
                .contains("hint: no token was sent").contains("bin/trainyard token USER ROLE")
                .contains("--token TOKEN").contains("TRAINYARD_TOKEN");

        StringWriter before = new StringWriter();
        before.write(err.toString());
        assertThat(run("list", "--token", "stale")).isEqualTo(TrainyardCli.ERROR);
        assertThat(err.toString().substring(before.toString().length()))
                .contains("hint: the token was refused").contains("bin/trainyard token USER ROLE")
                .contains("--token TOKEN or TRAINYARD_TOKEN").doesNotContain("stale");
    }

    @Test
    void theHelpSaysHowToGetATokenAndHowToPassIt() {
        assertThat(run("--help")).isZero();

        assertThat(out.toString()).contains("bin/trainyard token USER ROLE").contains("--token")
                .contains("TRAINYARD_TOKEN");
    }

    @Test
    void anUnreachableServiceIsSaidSo() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        CommandLine line = TrainyardCli.commandLine();
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));

        int exit = line.execute("list", "--scheduler-url", "http://127.0.0.1:" + port);

        assertThat(exit).isEqualTo(TrainyardCli.ERROR);
        assertThat(err.toString()).contains("cannot connect").contains("127.0.0.1:" + port);
    }

    @Test
    void listPassesFiltersAndPrintsATable() {
        api.on("GET /experiments", json(200, """
                {"page":0,"size":5,"total":1,"items":[%s]}
                """.formatted(view("running", 1, 0, 1, 0))));

        assertThat(run("list", "--status", "running", "--name", "city demand", "--size", "5")).isZero();

        FakeApi.Request request = api.requests("GET", "/experiments").get(0);
        assertThat(request.query()).isEqualTo("page=0&size=5&status=running&name=city+demand");
        assertThat(out.toString()).contains("ID").contains(ID).contains("running").contains("page 0 of 1");
    }

    @Test
    void statusShowsTheExperimentAndItsRuns() {
        api.on("GET /experiments/" + ID, json(200, view("running", 1, 0, 1, 0)));
        api.on("GET /experiments/" + ID + "/runs", json(200, """
                [{"id":"%s","partition":"Athens","searchPoint":0,"state":"RUNNING","epoch":3,"epochs":10,
                  "attempts":1,"trainer":"trainer-1","reason":null}]
                """.formatted(RUN_A)));

        assertThat(run("status", ID)).isZero();

        assertThat(out.toString()).contains("running").contains(RUN_A).contains("Athens").contains("3/10")
                .contains("trainer-1");
    }

    @Test
    void cancelCallsTheExperimentOrTheRunCancel() {
        api.on("POST /experiments/" + ID + "/cancel", json(202, view("cancelled", 0, 0, 0, 2)));
        api.on("POST /experiments/" + ID + "/runs/" + RUN_A + "/cancel", json(202, view("running", 0, 0, 1, 1)));

        assertThat(run("cancel", ID)).isZero();
        assertThat(run("cancel", ID, "--run", RUN_A, "--reason", "wrong data")).isZero();

        assertThat(api.requests("POST", "/experiments/" + ID + "/cancel").get(0).header("Content-Type"))
                .isEqualTo("application/json");
        FakeApi.Request one = api.requests("POST", "/experiments/" + ID + "/runs/" + RUN_A + "/cancel").get(0);
        assertThat(one.text()).isEqualTo("{\"reason\":\"wrong data\"}");
        assertThat(out.toString()).contains("Cancelled experiment " + ID).contains("Cancelled run " + RUN_A);
    }

    @Test
    void datasetUploadStreamsTheFileAndShowsWhereACsvIsWrong() throws IOException {
        Path csv = dir.resolve("sales.csv");
        Files.writeString(csv, "date,city,units\n2024-01-01,Lyon,3\n");
        api.on("POST /datasets", json(201, """
                {"id":"sales","rows":1,"columns":[{"name":"date","type":"date"},{"name":"city","type":"string"},
                 {"name":"units","type":"number"}],"partitionColumn":"city","partitions":["Lyon"],"bytes":33}
                """), problem(400, """
                {"type":"https://trainyard.io/problems/invalid-csv","title":"Invalid CSV","status":400,
                 "detail":"line 3, column 4: the row has more values than the header has columns (3: date, city, units)",
                 "line":3,"column":4,"violations":[{"field":"line 3, column 4","message":"the row has more values"}]}
                """));

        assertThat(run("datasets", "upload", csv.toString(), "--id", "sales", "--partition-column", "city"))
                .isZero();
        FakeApi.Request request = api.requests("POST", "/datasets").get(0);
        assertThat(request.query()).isEqualTo("id=sales&partitionColumn=city");
        assertThat(request.header("Content-Type")).isEqualTo("text/csv");
        assertThat(request.text()).isEqualTo(Files.readString(csv));
        assertThat(out.toString()).contains("Uploaded dataset sales: 1 rows")
                .contains("date (date), city (string), units (number)").contains("1 values of city");

        assertThat(run("datasets", "upload", csv.toString(), "--id", "sales", "--replace", "--visibility",
                "shared")).isEqualTo(TrainyardCli.ERROR);
        assertThat(api.requests("POST", "/datasets").get(1).query())
                .isEqualTo("id=sales&replace=true&visibility=shared");
        assertThat(err.toString()).contains("answered HTTP 400 Invalid CSV")
                .contains("line 3, column 4: the row has more values than the header has columns");
    }

    @Test
    void datasetsAreListed() {
        api.on("GET /datasets", json(200, """
                {"page":0,"size":20,"total":1,"items":[{"id":"city-demand","rows":21900,"columns":[{"name":"date"},
                 {"name":"city"},{"name":"demand"}],"partitionColumn":"city","partitions":["a","b"],"bytes":500}]}
                """));

        assertThat(run("datasets", "list")).isZero();

        assertThat(out.toString()).contains("city-demand").contains("21900").contains("date,city,demand")
                .contains("page 0 of 1 (1 datasets)");
    }

    @Test
    void resultsAsTableOrCsv() {
        api.on("GET /experiments/" + ID + "/results", json(200, RESULTS));
        api.on("GET /experiments/" + ID + "/results.csv", new FakeApi.Answer(200, "text/csv",
                "runId,partition,attempt,mae\r\n" + RUN_A + ",Berlin,1,2.0\r\n"));

        assertThat(run("results", ID)).isZero();
        assertThat(out.toString()).contains("Athens").contains("Berlin").contains("mean");

        StringWriter before = new StringWriter();
        before.write(out.toString());
        assertThat(run("results", ID, "--csv")).isZero();
        assertThat(out.toString().substring(before.toString().length()))
                .isEqualTo("runId,partition,attempt,mae\r\n" + RUN_A + ",Berlin,1,2.0\r\n");
    }

    @Test
    void theDemoSpecInTheRepositoryIsYaml() throws IOException {
        submission();
        Path demo = Path.of("..", "examples", "demo-forecast.yaml");
        assertThat(demo).isRegularFile();

        assertThat(run("submit", demo.toString())).isZero();

        FakeApi.Request request = api.requests("POST", "/experiments").get(0);
        assertThat(request.header("Content-Type")).isEqualTo("application/yaml");
        assertThat(new String(request.body(), StandardCharsets.UTF_8)).contains("dataset: city-demand");
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertThat(run("submit")).isEqualTo(2);
        assertThat(run("datasets", "upload", "x.csv")).isEqualTo(2);
        assertThat(err.toString()).contains("--id");
    }
}
