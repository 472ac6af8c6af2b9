package io.trainyard.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.trainyard.storage.testing.S3ProxyServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard check: the packaged services, RabbitMQ's Prometheus plugin and a Prometheus of our own (scraping
 * them every second, with the shared alert rules loaded), one small experiment, and then every query of every
 * dashboard in grafana/dashboards/ and every alert rule is run against them. A PromQL panel query must be accepted
 * by Prometheus's HTTP API and return at least one series; every selector in a panel or rule (metric name and
 * label matchers) must match series; a SQL
 * panel query must run on the results database and return at least one row; every template variable must offer the
 * experiment (run, metric, queue) just made.
 *
 * <p>Grafana fills in variables before a query leaves it; the check does the same with these values:
 * <ul>
 * <li>{@code $__rate_interval} = {@code 1m}, {@code $__interval} = {@code 15s}, {@code $__range} = {@code 5m}
 * (the Prometheus data source's timeInterval is 15 s: Grafana's rate interval is then at least 1 m);</li>
 * <li>{@code $experiment} = the experiment's id, {@code $run} = the id of one of its runs, {@code $metric} =
 * {@code mae}, {@code $queue} = the trainer queue of the experiment's pool;</li>
 * <li>each PromQL query runs a second time with every multi-value variable at its "All" value ({@code allValue}).</li>
 * </ul>
 * A query that uses any other variable fails the check, so a new variable needs a value here.
 *
 * <p>The services consume run events from queues of their own (auto-deleted when they stop), so that another
 * trainyard stack on the same broker cannot take this experiment's events.
 */
class DashboardQueriesIT {

    /** A pool of its own: no other test's commands reach this trainer, and no leftover of theirs delays it. */
    static final String POOL = "e2e-dashboards";
    static final int CITIES = 3;
    static final Duration STARTUP = Duration.ofSeconds(120);
    static final String RESULTS_DATABASE = "trainyard_results_e2e";
    static final int RABBITMQ_PROMETHEUS_PORT = 15692;

    /** Grafana's built-in interval variables, as Grafana would fill them in (see the class comment). */
    static final Map<String, String> BUILT_IN = Map.of("__rate_interval", "1m", "__interval", "15s",
            "__range", "5m");

    /**
     * Vector selectors in PromQL: a metric name with trainyard's or a library's prefix (or up) and its label
     * matchers. String literals are matched as a whole first, so that nothing inside one counts.
     */
    static final Pattern SELECTOR = Pattern.compile("(?<string>\"(?:[^\"\\\\]|\\\\.)*\")"
            + "|(?<selector>\\b(?:(?:trainyard|rabbitmq|jvm|process|http_server)_[A-Za-z0-9_:]*|up)\\b"
            + "(?:\\s*\\{(?:[^{}\"]|\"(?:[^\"\\\\]|\\\\.)*\")*})?)");
    static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)|\\[\\[(\\w+)]]");

    static final ObjectMapper JSON = new ObjectMapper();
    static final YAMLMapper YAML = new YAMLMapper();

    static Path root;
    static S3ProxyServer s3;
    static ServiceProcess scheduler;
    static ServiceProcess results;
    static ServiceProcess trainer;
    static PrometheusProcess prometheus;
    static UUID experiment;
    static UUID run;

    @BeforeAll
    static void startStackAndRunAnExperiment() throws Exception {
        root = Path.of(System.getProperty("trainyard.root", "..")).toAbsolutePath().normalize();
        PrometheusProcess.binary(); // skips (or fails, in CI) before anything starts
        long t0 = System.nanoTime();
        s3 = S3ProxyServer.start();
        Map<String, String> schedulerProperties = common("trainyard_scheduler_e2e");
        schedulerProperties.put("trainyard.scheduler.pools", "cpu," + POOL);
        schedulerProperties.put("trainyard.scheduler.metrics.refresh-every", "1s");
        ownEventQueue(schedulerProperties, "scheduler");
        scheduler = ServiceProcess.start("dashboards-scheduler", "scheduler-service", schedulerProperties);
        Map<String, String> resultsProperties = common(RESULTS_DATABASE);
        resultsProperties.put("trainyard.results.metrics.refresh-every", "1s");
        ownEventQueue(resultsProperties, "results");
        results = ServiceProcess.start("dashboards-results", "results-service", resultsProperties);
        Map<String, String> trainerProperties = common(null);
        trainerProperties.put("trainyard.trainer.pool", POOL);
        trainerProperties.put("trainyard.trainer.id", "e2e-dashboards-trainer");
        trainer = ServiceProcess.start("dashboards-trainer", "trainer-service", trainerProperties);

        Map<String, PrometheusProcess.Job> jobs = new LinkedHashMap<>();
        jobs.put("scheduler", new PrometheusProcess.Job("/q/metrics", List.of("127.0.0.1:" + scheduler.port)));
        jobs.put("results", new PrometheusProcess.Job("/q/metrics", List.of("127.0.0.1:" + results.port)));
        jobs.put("trainer", new PrometheusProcess.Job("/q/metrics", List.of("127.0.0.1:" + trainer.port)));
        // Per-queue series (queue label) need the per-object endpoint on a broker with default settings.
        jobs.put("rabbitmq", new PrometheusProcess.Job("/metrics/per-object",
                List.of("127.0.0.1:" + RABBITMQ_PROMETHEUS_PORT)));
        prometheus = PrometheusProcess.start(jobs, List.of(rulesFile()));

        scheduler.awaitReady(STARTUP);
        results.awaitReady(STARTUP);
        trainer.awaitReady(STARTUP);
        prometheus.awaitReady(STARTUP);
        long t1 = System.nanoTime();

        experiment = runExperiment();
        long t2 = System.nanoTime();

        // Until Prometheus has scraped the finished experiment from both services and every target is up.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(prometheus.scalar("count(up == 1)")).as("targets up (up{job=\"rabbitmq\"}: RabbitMQ's"
                    + " rabbitmq_prometheus plugin on :%d, enabled by bin/trainyard setup)", RABBITMQ_PROMETHEUS_PORT)
                    .isEqualTo(jobs.size());
            assertThat(prometheus.scalar("max(trainyard_scheduler_experiment_runs{experiment=\"" + experiment
                    + "\", state=\"succeeded\"})")).isEqualTo(CITIES);
            assertThat(prometheus.scalar("max(trainyard_experiment_runs_completed{experiment=\"" + experiment
                    + "\"})")).isEqualTo(CITIES);
        });
        run = UUID.fromString(firstValue("select run_id::text from run_status where experiment_id = '"
                + experiment + "' order by partition_value limit 1"));
        System.out.printf("dashboard check: stack ready in %d s, experiment of %d runs in %d s, in Prometheus after"
                + " %d s more%n", (t1 - t0) / 1_000_000_000, CITIES, (t2 - t1) / 1_000_000_000,
                (System.nanoTime() - t2) / 1_000_000_000);
    }

    @AfterAll
    static void stopStack() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {prometheus, trainer, results, scheduler, s3}) {
            if (c != null) {
                c.close();
            }
        }
    }

    static Map<String, String> common(String database) {
        Map<String, String> p = new HashMap<>();
        p.put("trainyard.s3.endpoint", s3.endpoint());
        p.put("trainyard.s3.access-key", S3ProxyServer.ACCESS_KEY);
        p.put("trainyard.s3.secret-key", S3ProxyServer.SECRET_KEY);
        p.put("trainyard.s3.bucket", "e2e-dashboards");
        if (database != null) {
            p.put("quarkus.datasource.reactive.url", "postgresql://127.0.0.1:5432/" + database);
            p.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/" + database);
        }
        return p;
    }

    /** A classic, auto-deleted event queue for this service: nobody else's consumer competes for its events. */
    static void ownEventQueue(Map<String, String> properties, String service) {
        String channel = "mp.messaging.incoming.run-events.";
        properties.put(channel + "queue.name", POOL + "." + service + ".run-events");
        properties.put(channel + "queue.x-queue-type", "classic");
        properties.put(channel + "queue.durable", "false");
        properties.put(channel + "queue.auto-delete", "true");
    }

    /** A tiny forecaster per city, a few epochs with checkpoints; returns the experiment's id once it succeeded. */
    static UUID runExperiment() {
        String dataset = "e2e-dash-" + UUID.randomUUID().toString().substring(0, 8);
        given().baseUri(scheduler.url()).contentType(ContentType.JSON)
                .body(Map.of("id", dataset, "cities", CITIES, "days", 1095, "seed", 11))
                .post("/datasets/demo").then().statusCode(201);
        Map<String, Object> spec = Map.of(
                "name", "e2e dashboards " + dataset,
                "dataset", dataset,
                "partitionBy", "city",
                "model", Map.of("kind", "mlp-forecaster", "hyperparameters", Map.of("lags", 14,
                        "hidden", List.of(32))),
                "training", Map.of("epochs", 4, "batchSize", 32, "learningRate", 0.001, "seed", 42,
                        "checkpointEvery", 2),
                "resources", Map.of("pool", POOL));
        String location = given().baseUri(scheduler.url()).contentType(ContentType.JSON).body(spec)
                .post("/experiments").then().statusCode(201).extract().header("Location");
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> "succeeded".equals(
                given().baseUri(scheduler.url()).get(location).then().statusCode(200).extract().path("status")));
        return UUID.fromString(location.substring(location.lastIndexOf('/') + 1));
    }

    // ------------------------------------------------------------------------------------------------- the checks

    @Test
    void everyPromqlPanelQueryIsAcceptedAndReturnsSeries() throws IOException {
        SoftAssertions soft = new SoftAssertions();
        int queries = 0;
        for (Query q : queries("prometheus")) {
            List<Map<String, String>> bindings = new ArrayList<>(List.of(values()));
            Map<String, String> all = allValues(q.dashboard());
            if (!all.isEmpty() && VARIABLE.matcher(q.text()).results().anyMatch(m -> all.containsKey(name(m)))) {
                Map<String, String> withAll = new HashMap<>(values());
                withAll.putAll(all);
                bindings.add(withAll);
            }
            for (Map<String, String> binding : bindings) {
                queries++;
                String promql = substitute(q.text(), binding, soft, q);
                try {
                    soft.assertThat(prometheus.vector(promql)).as("series of %s\n  %s", q, promql).isNotEmpty();
                } catch (AssertionError e) {
                    soft.fail("%s: %s", q, e.getMessage());
                }
                missingSeries(promql, q.toString(), soft);
            }
        }
        assertThat(queries).as("PromQL panel queries").isGreaterThan(20);
        soft.assertAll();
    }

    @Test
    void everySqlPanelQueryRunsOnTheResultsDatabaseAndReturnsRows() throws Exception {
        SoftAssertions soft = new SoftAssertions();
        List<Query> sql = queries("trainyard-results");
        assertThat(sql).as("SQL panel queries").hasSizeGreaterThan(3);
        try (Connection db = resultsDatabase()) {
            for (Query q : sql) {
                String text = substitute(q.text(), values(), soft, q);
                try (Statement statement = db.createStatement(); ResultSet rows = statement.executeQuery(text)) {
                    soft.assertThat(rows.next()).as("rows of %s\n  %s", q, text).isTrue();
                } catch (SQLException e) {
                    soft.fail("%s failed: %s\n  %s", q, e.getMessage(), text);
                }
            }
        }
        soft.assertAll();
    }

    @Test
    void everyTemplateVariableOffersTheExperimentJustRun() throws Exception {
        Map<String, String> expected = values();
        SoftAssertions soft = new SoftAssertions();
        int variables = 0;
        for (Map.Entry<String, JsonNode> dashboard : dashboards().entrySet()) {
            for (JsonNode variable : dashboard.getValue().path("templating").path("list")) {
                if (!"query".equals(variable.path("type").asText())) {
                    continue;
                }
                variables++;
                String name = variable.path("name").asText();
                String where = dashboard.getKey() + " variable $" + name;
                JsonNode query = variable.path("query");
                String definition = query.isObject() ? query.path("query").asText() : query.asText();
                String uid = datasourceUid(variable.path("datasource"), null);
                List<String> offered;
                try {
                    offered = "prometheus".equals(uid)
                            ? prometheusVariable(definition, variable.path("regex").asText(""))
                            : sqlVariable(substitute(definition, expected, soft, new Query(dashboard.getKey(), where,
                                    "", definition)));
                } catch (AssertionError | SQLException e) {
                    soft.fail("%s (%s): %s", where, definition, e.getMessage());
                    continue;
                }
                soft.assertThat(offered).as("values of %s (%s)", where, definition).isNotEmpty();
                if (expected.containsKey(name)) {
                    soft.assertThat(offered).as("values of %s (%s)", where, definition).contains(expected.get(name));
                }
            }
        }
        assertThat(variables).as("template variables").isGreaterThanOrEqualTo(4);
        soft.assertAll();
    }

    @Test
    void everyAlertRuleIsLoadedEvaluatesAndNamesOnlyMetricsThatExist() throws IOException {
        JsonNode groups = YAML.readTree(rulesFile().toFile()).path("groups");
        List<JsonNode> rules = new ArrayList<>();
        groups.forEach(g -> g.path("rules").forEach(rules::add));
        assertThat(rules).as("rules in %s", rulesFile()).isNotEmpty();

        SoftAssertions soft = new SoftAssertions();
        for (JsonNode rule : rules) {
            String name = rule.has("alert") ? rule.path("alert").asText() : rule.path("record").asText();
            String expr = rule.path("expr").asText();
            try {
                prometheus.vector(expr);
            } catch (AssertionError e) {
                soft.fail("rule %s: %s", name, e.getMessage());
            }
            missingSeries(expr, "rule " + name, soft);
        }
        // Prometheus itself evaluates them every second: each must be loaded and healthy.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonPath loaded = given().baseUri(prometheus.url()).get("/api/v1/rules").then().statusCode(200)
                    .extract().jsonPath();
            List<String> names = loaded.getList("data.groups.rules.flatten().name", String.class);
            List<String> health = loaded.getList("data.groups.rules.flatten().health", String.class);
            assertThat(names).as("rules loaded by Prometheus").hasSize(rules.size());
            assertThat(health).as("health of the rules %s (errors: %s)", names,
                    loaded.getList("data.groups.rules.flatten().lastError")).containsOnly("ok");
        });
        soft.assertAll();
    }

    // ------------------------------------------------------------------------------------------------- helpers

    /** One query of one panel: its dashboard file, the panel's title and the query's refId, and its text. */
    record Query(String dashboard, String panel, String refId, String text) {
        @Override
        public String toString() {
            return dashboard + " panel \"" + panel + "\"" + (refId.isEmpty() ? "" : " query " + refId);
        }
    }

    static Path rulesFile() {
        return root.resolve("k8s/base/prometheus/trainyard-alerts.yml");
    }

    static Map<String, JsonNode> dashboards() throws IOException {
        Map<String, JsonNode> dashboards = new TreeMap<>();
        try (Stream<Path> files = Files.list(root.resolve("grafana/dashboards"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                dashboards.put(file.getFileName().toString(), JSON.readTree(file.toFile()));
            }
        }
        assertThat(dashboards).as("dashboards in grafana/dashboards").isNotEmpty();
        return dashboards;
    }

    /** Every query of every panel (rows' nested panels included) whose data source has this uid. */
    static List<Query> queries(String datasourceUid) throws IOException {
        Set<String> known = provisionedDatasourceUids();
        List<Query> found = new ArrayList<>();
        for (Map.Entry<String, JsonNode> dashboard : dashboards().entrySet()) {
            List<JsonNode> panels = new ArrayList<>();
            dashboard.getValue().path("panels").forEach(p -> {
                panels.add(p);
                p.path("panels").forEach(panels::add);
            });
            for (JsonNode panel : panels) {
                for (JsonNode target : panel.path("targets")) {
                    String uid = datasourceUid(target.path("datasource"), panel.path("datasource"));
                    Query q = new Query(dashboard.getKey(), panel.path("title").asText(),
                            target.path("refId").asText(), target.has("expr") ? target.path("expr").asText()
                                    : target.path("rawSql").asText());
                    assertThat(known).as("%s uses a data source uid that grafana/provisioning/datasources provisions",
                            q).contains(uid);
                    if (datasourceUid.equals(uid)) {
                        found.add(q);
                    }
                }
            }
        }
        return found;
    }

    static String datasourceUid(JsonNode datasource, JsonNode fallback) {
        JsonNode ds = datasource == null || datasource.isMissingNode() || datasource.isNull() ? fallback : datasource;
        return ds == null ? null : ds.isTextual() ? ds.asText() : ds.path("uid").asText(null);
    }

    static Set<String> provisionedDatasourceUids() throws IOException {
        Set<String> uids = new LinkedHashSet<>();
        try (Stream<Path> files = Files.list(root.resolve("grafana/provisioning/datasources"))) {
            for (Path file : files.filter(f -> f.toString().matches(".*\\.ya?ml")).toList()) {
                YAML.readTree(file.toFile()).path("datasources").forEach(d -> uids.add(d.path("uid").asText()));
            }
        }
        return uids;
    }

    /** The variable values of the class comment. */
    static Map<String, String> values() {
        Map<String, String> values = new HashMap<>(BUILT_IN);
        values.put("experiment", experiment.toString());
        values.put("run", run.toString());
        values.put("metric", "mae");
        values.put("queue", "trainer." + POOL);
        return values;
    }

    /** The "All" value of each multi-value variable of a dashboard. */
    static Map<String, String> allValues(String dashboardFile) throws IOException {
        Map<String, String> all = new HashMap<>();
        for (JsonNode variable : dashboards().get(dashboardFile).path("templating").path("list")) {
            if (variable.path("includeAll").asBoolean(false)) {
                all.put(variable.path("name").asText(), variable.path("allValue").asText(".*"));
            }
        }
        return all;
    }

    static String name(java.util.regex.MatchResult m) {
        return m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
    }

    /** The query with every variable replaced; a variable without a value fails the check. */
    static String substitute(String text, Map<String, String> values, SoftAssertions soft, Query where) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = name(m);
            String value = values.get(name);
            if (value == null) {
                soft.fail("%s uses the variable $%s, which the dashboard check has no value for (add one in"
                        + " DashboardQueriesIT.values())", where, name);
                value = m.group();
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * Fails for each vector selector of the (substituted) expression that matches no series in Prometheus: a
     * misspelt metric or label is caught even where the whole expression has a fallback such as
     * {@code or vector(0)}.
     */
    static void missingSeries(String expr, String where, SoftAssertions soft) {
        Set<String> selectors = new LinkedHashSet<>();
        Matcher m = SELECTOR.matcher(expr);
        while (m.find()) {
            if (m.group("selector") != null) {
                selectors.add(m.group("selector"));
            }
        }
        soft.assertThat(selectors).as("metric selectors in %s", where).isNotEmpty();
        for (String selector : selectors) {
            try {
                soft.assertThat(prometheus.scalar("count(" + selector + ")")).as("series of %s in %s", selector,
                        where).isNotNull();
            } catch (AssertionError e) {
                soft.fail("%s: %s", where, e.getMessage());
            }
        }
    }

    static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*(?:(.+?)\\s*,\\s*)?(\\w+)\\s*\\)");
    static final Pattern QUERY_RESULT = Pattern.compile("query_result\\((.+)\\)");

    /** What a Prometheus query variable offers: label_values(...) or query_result(...), then its regex. */
    static List<String> prometheusVariable(String definition, String regex) {
        List<String> raw = new ArrayList<>();
        Matcher labelValues = LABEL_VALUES.matcher(definition.trim());
        Matcher queryResult = QUERY_RESULT.matcher(definition.trim());
        if (labelValues.matches()) {
            var request = given().baseUri(prometheus.url());
            if (labelValues.group(1) != null) {
                request = request.queryParam("match[]", labelValues.group(1));
            }
            raw.addAll(request.get("/api/v1/label/" + labelValues.group(2) + "/values").then().statusCode(200)
                    .extract().jsonPath().getList("data", String.class));
        } else if (queryResult.matches()) {
            // Grafana's text for each series: name{label="value", ...} value timestamp, labels in name order.
            for (Map<String, Object> series : prometheus.vector(queryResult.group(1))) {
                @SuppressWarnings("unchecked")
                Map<String, String> labels = new TreeMap<>((Map<String, String>) series.get("metric"));
                String metric = labels.remove("__name__");
                List<String> pairs = labels.entrySet().stream().map(e -> e.getKey() + "=\"" + e.getValue() + "\"")
                        .toList();
                @SuppressWarnings("unchecked")
                List<Object> value = (List<Object>) series.get("value");
                raw.add((metric == null ? "" : metric) + "{" + String.join(", ", pairs) + "} " + value.get(1) + " "
                        + value.get(0));
            }
        } else {
            throw new AssertionError("the check knows label_values(...) and query_result(...) variables only");
        }
        if (regex.isEmpty()) {
            return raw;
        }
        // Grafana's /pattern/flags; its (?<value>...) group, else the first group, else the whole match.
        Pattern pattern = Pattern.compile(regex.substring(1, regex.lastIndexOf('/')));
        List<String> offered = new ArrayList<>();
        for (String line : raw) {
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                offered.add(pattern.pattern().contains("(?<value>") ? m.group("value")
                        : m.groupCount() > 0 ? m.group(1) : m.group());
            }
        }
        return offered;
    }

    /** What a SQL query variable offers: its __value column, else its first column. */
    static List<String> sqlVariable(String sql) throws SQLException {
        List<String> offered = new ArrayList<>();
        try (Connection db = resultsDatabase(); Statement statement = db.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            int column = 1;
            for (int i = 1; i <= rows.getMetaData().getColumnCount(); i++) {
                if ("__value".equals(rows.getMetaData().getColumnLabel(i))) {
                    column = i;
                }
            }
            while (rows.next()) {
                offered.add(rows.getString(column));
            }
        }
        return offered;
    }

    static Connection resultsDatabase() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + RESULTS_DATABASE, "postgres", "");
    }

    static String firstValue(String sql) throws SQLException {
        List<String> values = sqlVariable(sql);
        assertThat(values).as(sql).isNotEmpty();
        return values.get(0);
    }
}
