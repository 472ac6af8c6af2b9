package io.trainyard.scheduler.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.trainyard.contracts.testing.TestTokens;
import io.trainyard.scheduler.testing.Api;
import io.trainyard.scheduler.testing.Broker;
import io.trainyard.scheduler.testing.Problems;
import io.trainyard.storage.ObjectStore;
import io.trainyard.storage.testing.S3ProxyResource;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.sessions.JqwikSession;
import org.junit.jupiter.api.AfterEach;
import net.jqwik.api.RandomGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Thousands of generated hostile requests: mutated and malformed specs (JSON and YAML), demo requests, CSV uploads
 * and query parameters. Whatever comes in, the answer is never a 5xx, every 4xx is a problem+json body, no object
 * lands outside the storage layout and the service is healthy afterwards.
 *
 * <p>Inputs come from jqwik's generators, driven by a fixed seed so that a failure reproduces. jqwik's own engine
 * cannot host a {@code @QuarkusTest} (that is a Jupiter extension), so the generators are used directly.
 */
@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
class HostileInputTest {

    static final long SEED = 20261123L;
    static final int GEN_SIZE = 1000;

    /** Storage keys the services may write; anything else means a name became a key unsanitised. */
    static final Pattern LAYOUT = Pattern.compile("datasets/[a-z0-9][a-z0-9._-]{0,63}/(data\\.csv|meta\\.json)"
            + "|(checkpoints|models|cancellations)/[0-9a-f-]{36}/.+");

    @Inject
    ObjectStore objects;

    final ObjectMapper json = new ObjectMapper();
    final YAMLMapper yaml = new YAMLMapper();
    final List<String> failures = new ArrayList<>();
    /** Answers by status: the generators must reach both acceptance and every kind of refusal to mean anything. */
    final Map<Integer, Integer> statuses = new java.util.TreeMap<>();
    Random random;
    String dataset;
    int requests;

    @BeforeEach
    void setUp() {
        JqwikSession.start(); // jqwik's generators need a session of their own outside jqwik's engine
        random = new Random(SEED);
        failures.clear();
        statuses.clear();
        requests = 0;
        dataset = Api.demoDataset(2);
    }

    @AfterEach
    void finishJqwik() {
        JqwikSession.finish();
    }

    @AfterAll
    static void purge() {
        Broker.purgeTestPool();
    }

    // ------------------------------------------------------------------------------------------ generators

    <T> T draw(Arbitrary<T> arbitrary) {
        RandomGenerator<T> generator = arbitrary.generator(GEN_SIZE, true);
        return generator.next(random).value();
    }

    /** Values that have broken parsers, validators and key builders elsewhere. */
    Arbitrary<Object> hostileValues() {
        return Arbitraries.oneOf(
                Arbitraries.of("", " ", "\u0000", "../../etc/passwd", "..", "datasets/../models", "%2e%2e%2f",
                        "${jndi:ldap://x}", "<script>", "NaN", "Infinity", "-0", "1e999999", "\uFEFF", "\uD800",
                        "mlp-forecaster", "grid", "random", "shared", "private", "mae", "maximize", "cpu",
                        "scheduler-test", "city", "date", "demand").map(v -> (Object) v),
                Arbitraries.strings().all().ofMaxLength(300).map(v -> (Object) v),
                Arbitraries.strings().ofMinLength(5_000).ofMaxLength(20_000).map(v -> (Object) v),
                Arbitraries.integers().map(v -> (Object) v),
                Arbitraries.longs().map(v -> (Object) v),
                Arbitraries.of(0, -1, 1, 2, 100_000, 1_000_001, Integer.MAX_VALUE, Integer.MIN_VALUE)
                        .map(v -> (Object) v),
                Arbitraries.doubles().map(v -> (Object) v),
                Arbitraries.of(1e308, -1e308, 4.9e-324, 1e-12, 0.0, 10.0, 10.000001).map(v -> (Object) v),
                Arbitraries.of(true, false).map(v -> (Object) v),
                Arbitraries.just(null),
                Arbitraries.integers().between(0, 2_000).list().ofMaxSize(2_000).map(v -> (Object) v),
                Arbitraries.strings().alpha().ofMaxLength(5).list().ofMaxSize(50).map(v -> (Object) v),
                Arbitraries.integers().between(1, 60).map(HostileInputTest::nested),
                Arbitraries.maps(Arbitraries.strings().ofMaxLength(20), Arbitraries.integers()).ofMaxSize(300)
                        .map(v -> (Object) v));
    }

    static Object nested(int depth) {
        Object value = 1;
        for (int i = 0; i < depth; i++) {
            value = i % 2 == 0 ? List.of(value) : Map.of("x", value);
        }
        return value;
    }

    /** A valid spec with one to four mutations: fields removed, replaced, added, or a search bolted on. */
    Map<String, Object> mutatedSpec() {
        Map<String, Object> spec = deepCopy(Api.spec(dataset));
        int mutations = draw(Arbitraries.integers().between(1, 4));
        for (int i = 0; i < mutations; i++) {
            List<String> paths = paths(spec, "");
            String path = paths.get(random.nextInt(paths.size()));
            switch (random.nextInt(5)) {
                case 0 -> remove(spec, path);
                case 1, 2 -> set(spec, path, draw(hostileValues()));
                case 3 -> set(spec, path.contains(".") ? path.substring(0, path.lastIndexOf('.') + 1)
                        + draw(Arbitraries.strings().ofMaxLength(30)) : draw(Arbitraries.strings().ofMaxLength(30)),
                        draw(hostileValues()));
                default -> spec.put("search", search());
            }
        }
        return spec;
    }

    Map<String, Object> search() {
        Map<String, Object> parameters = new LinkedHashMap<>();
        int n = draw(Arbitraries.integers().between(0, 6));
        for (int i = 0; i < n; i++) {
            String name = draw(Arbitraries.of("epochs", "learningRate", "training.batchSize", "lags", "hidden",
                    "model.hyperparameters.lags", "seed", "nope", "training.nope", ""));
            parameters.put(name, random.nextBoolean()
                    ? draw(Arbitraries.integers().between(-5, 1_000_000).list().ofMaxSize(random.nextInt(40)))
                    : Map.of("min", random.nextInt(10) - 2, "max", random.nextInt(1_000_000),
                            "log", random.nextBoolean()));
        }
        Map<String, Object> search = new LinkedHashMap<>();
        search.put("type", draw(Arbitraries.of("grid", "random", "sobol", "")));
        search.put("samples", draw(Arbitraries.of(1, 5, 0, -3, 10_001, Integer.MAX_VALUE)));
        search.put("parameters", parameters);
        return search;
    }

    /** Raw bytes: a valid spec cut short, with bytes flipped or inserted, or plain noise. */
    byte[] malformedJson() throws Exception {
        byte[] valid = json.writeValueAsBytes(Api.spec(dataset));
        return switch (random.nextInt(4)) {
            case 0 -> java.util.Arrays.copyOf(valid, random.nextInt(valid.length));
            case 1 -> {
                byte[] flipped = valid.clone();
                for (int i = 0; i < 1 + random.nextInt(5); i++) {
                    flipped[random.nextInt(flipped.length)] = (byte) random.nextInt(256);
                }
                yield flipped;
            }
            case 2 -> {
                String s = new String(valid, StandardCharsets.UTF_8);
                int at = random.nextInt(s.length());
                yield (s.substring(0, at) + draw(Arbitraries.of("{", "}", "[", "]", ",", ":", "\"", "\\", "null",
                        "\u0000", "//", "/*", "NaN", "1e99999", "[".repeat(2_000))) + s.substring(at))
                        .getBytes(StandardCharsets.UTF_8);
            }
            default -> {
                byte[] noise = new byte[random.nextInt(2_000)];
                random.nextBytes(noise);
                yield noise;
            }
        };
    }

    /** YAML documents, hostile by construction (alias bombs, depth, tags) or a mutated spec written as YAML. */
    String hostileYaml() throws Exception {
        return switch (random.nextInt(6)) {
            case 0 -> billionLaughs(2 + random.nextInt(8));
            case 1 -> "name: " + "[".repeat(100 + random.nextInt(5_000));
            case 2 -> "name: !!java.lang.Runtime {}\ndataset: x\n";
            case 3 -> "name: a\nname: b\ndataset: " + dataset + "\n";
            case 4 -> "&a [*a]";
            default -> {
                try {
                    yield yaml.writeValueAsString(mutatedSpec());
                } catch (Exception unwritable) {
                    yield billionLaughs(3); // a generated string YAML cannot represent
                }
            }
        };
    }

    static String billionLaughs(int levels) {
        StringBuilder doc = new StringBuilder("a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (int i = 1; i <= levels; i++) {
            doc.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 9; j++) {
                doc.append(j == 0 ? "" : ",").append("*a").append(i - 1);
            }
            doc.append("]\n");
        }
        return doc.append("name: *a").append(levels).append('\n').toString();
    }

    /** CSV-ish bodies: valid data, then broken quotes, long lines, many columns, NULs and invalid UTF-8. */
    byte[] hostileCsv() {
        StringBuilder csv = new StringBuilder();
        int columns = draw(Arbitraries.integers().between(1, 14));
        for (int c = 0; c < columns; c++) {
            csv.append(c == 0 ? "" : ",").append(draw(Arbitraries.of("date", "city", "demand", "", "\"q\"", "x y",
                    "date", "\u00e9t\u00e9")));
        }
        csv.append('\n');
        int rows = draw(Arbitraries.integers().between(0, 60));
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns + random.nextInt(3) - 1; c++) {
                csv.append(c == 0 ? "" : ",").append(draw(Arbitraries.oneOf(
                        Arbitraries.of("2024-01-01", "Lyon", "3.5", "-0", "1e308", "NaN", "", "\"unclosed",
                                "\"a,\"\"b\"\"\"", "\r", "\u0000"),
                        Arbitraries.strings().all().ofMaxLength(30),
                        Arbitraries.strings().ofMinLength(150).ofMaxLength(400))));
            }
            csv.append(random.nextInt(10) == 0 ? "\r\n" : "\n");
        }
        byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
        if (random.nextInt(8) == 0 && bytes.length > 0) {
            bytes[random.nextInt(bytes.length)] = (byte) 0xC3; // a UTF-8 lead byte without its continuation
        }
        return bytes;
    }

    String hostileId() {
        return draw(Arbitraries.oneOf(
                Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789._-").ofMinLength(1)
                        .ofMaxLength(70).map(s -> "fz" + s),
                Arbitraries.of("../x", "..", ".", "a/b", "a/../../models", "%2e%2e", "A", "a b", "", "-a", "_a",
                        "datasets", "x".repeat(65), "a\u0000", "caf\u00e9", "a?b", "a#b", "..\\x"),
                Arbitraries.strings().all().ofMaxLength(60)));
    }

    String hostileParameter() {
        return draw(Arbitraries.oneOf(
                Arbitraries.of("0", "1", "-1", "20", "100", "101", "10000", "10001", "2147483647", "2147483648",
                        "-2147483649", "99999999999999999999999", "1e3", "0x10", " 5", "5 ", "", "NaN", "queued",
                        "running", "RUNNING", "partially_failed", "cancelled", "%", "_", "!", "'; drop table run;--"),
                // short enough that a request line stays within the HTTP server's 4 KiB (longer ones are cut off
                // by Vert.x before any of trainyard's code runs)
                Arbitraries.strings().all().ofMaxLength(60),
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.longs().map(String::valueOf)));
    }

    // --------------------------------------------------------------------------------------------- checks

    /** Sends, then checks the answer; failures are collected so that one run reports many. */
    void check(String what, Supplier<Response> send) {
        requests++;
        Response response;
        try {
            response = send.get();
        } catch (Exception e) { // REST Assured rethrows I/O exceptions unchecked
            failures.add(what + ": the request itself failed: " + e);
            return;
        }
        int status = response.statusCode();
        statuses.merge(status, 1, Integer::sum);
        if (status >= 500) {
            failures.add(what + " -> " + status + ": " + abbreviate(response.asString()));
        } else if (status >= 400) {
            String type = response.contentType();
            if (type == null || !type.startsWith("application/problem+json")) {
                failures.add(what + " -> " + status + " without problem+json (" + type + "): "
                        + abbreviate(response.asString()));
            } else {
                try {
                    Map<String, Object> problem = response.jsonPath().getMap("$");
                    if (!Integer.valueOf(status).equals(problem.get("status")) || problem.get("title") == null) {
                        failures.add(what + " -> " + status + " with an incomplete problem: " + problem);
                    }
                } catch (RuntimeException e) {
                    failures.add(what + " -> " + status + " with a body that is no JSON: "
                            + abbreviate(response.asString()));
                }
            }
        }
    }

    static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    void assertAllWell(int expectedRequests) {
        System.out.printf("%d generated requests, answers by status: %s%n", requests, statuses);
        assertThat(requests).isEqualTo(expectedRequests);
        assertThat(failures).as("%d of %d requests answered badly", failures.size(), requests).isEmpty();
        given().auth().none().get("/q/health/ready").then().statusCode(200);
        given().get("/experiments/" + UUID.randomUUID()).then().statusCode(404);
        List<String> strays = objects.list("").stream().filter(key -> !LAYOUT.matcher(key).matches()).toList();
        assertThat(strays).as("objects outside the storage layout").isEmpty();
    }

    // ---------------------------------------------------------------------------------------------- tests

    @Test
    void mutatedAndMalformedSpecsNeverBreakTheScheduler() throws Exception {
        int n = 0;
        for (int i = 0; i < 1_000; i++, n++) {
            // through a String: a lone surrogate becomes '?' instead of failing the generator
            byte[] body = json.writeValueAsString(mutatedSpec()).getBytes(StandardCharsets.UTF_8);
            check("JSON spec " + abbreviate(new String(body, StandardCharsets.UTF_8)),
                    () -> given().contentType(ContentType.JSON).body(body).post("/experiments"));
        }
        for (int i = 0; i < 300; i++, n++) {
            byte[] body = malformedJson();
            check("malformed JSON " + abbreviate(new String(body, StandardCharsets.UTF_8)),
                    () -> given().contentType(ContentType.JSON).body(body).post("/experiments"));
        }
        for (int i = 0; i < 300; i++, n++) {
            String body = hostileYaml();
            String type = random.nextBoolean() ? "application/yaml" : "application/x-yaml";
            check("YAML spec " + abbreviate(body), () -> given().contentType(type)
                    .body(body.getBytes(StandardCharsets.UTF_8)).post("/experiments"));
        }
        for (int i = 0; i < 100; i++, n++) {
            String type = draw(Arbitraries.of("text/plain", "application/xml", "application/octet-stream",
                    "multipart/form-data; boundary=x", "application/json; charset=latin-7", "text/csv", "*/*",
                    "application/yaml; charset=utf-16"));
            byte[] body = malformedJson();
            check("spec as " + type, () -> given().contentType(type).body(body).post("/experiments"));
        }
        for (int i = 0; i < 100; i++, n++) {
            Map<String, Object> cancel = Map.of("reason", draw(hostileValues()) == null ? "x"
                    : String.valueOf(draw(hostileValues())));
            check("cancel " + abbreviate(cancel.toString()), () -> given().contentType(ContentType.JSON)
                    .body(cancel).post("/experiments/" + UUID.randomUUID() + "/cancel"));
        }
        assertAllWell(n);
        assertThat(statuses).containsKeys(201, 400, 404, 415);
    }

    @Test
    void oversizedSpecsAreRefusedWith413() {
        String huge = "{\"name\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";
        Response declared = given().contentType(ContentType.JSON).body(huge).post("/experiments");
        declared.then().statusCode(413).contentType("application/problem+json");
        assertThat(declared.jsonPath().getString("detail")).contains("trainyard.api.max-body-size");
        given().contentType("application/yaml")
                .body(("name: " + "y".repeat(2 * 1024 * 1024)).getBytes(StandardCharsets.UTF_8)).post("/experiments")
                .then().statusCode(413).contentType("application/problem+json");
        // without a declared length (chunked): cut off while it is read
        given().contentType(ContentType.JSON)
                .body(new java.io.ByteArrayInputStream(huge.getBytes(StandardCharsets.UTF_8))).post("/experiments")
                .then().statusCode(413).contentType("application/problem+json");
        given().contentType(ContentType.JSON).body(Map.of("reason", "r".repeat(2 * 1024 * 1024)))
                .post("/experiments/" + UUID.randomUUID() + "/cancel").then().statusCode(413);
    }

    @Test
    void wildcardTypesAndChunkedValuesAreHeldToTheLimitToo() {
        byte[] spec = ("{\"name\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
        byte[] cancel = ("{\"reason\":\"" + "r".repeat(2 * 1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
        // the JSON endpoints accept a wildcard type: it is no upload type, so the limit of JSON bodies holds
        for (String type : List.of("*/*", "application/*")) {
            Problems.assertProblem(given().contentType(type).body(spec).post("/experiments"), 413);
            Problems.assertProblem(given().contentType(type).body(cancel)
                    .post("/experiments/" + UUID.randomUUID() + "/cancel"), 413);
            Problems.assertProblem(given().contentType(type).body(cancel).post("/datasets/demo"), 413);
        }
        // chunked, the limit is crossed inside a field's value: still 413, not a 400 about that field
        Problems.assertProblem(given().contentType(ContentType.JSON).body(new java.io.ByteArrayInputStream(cancel))
                .post("/experiments/" + UUID.randomUUID() + "/cancel"), 413);
    }

    @Test
    void yamlAliasesDuplicateKeysAndDeepNestingAreRefusedNotMisread() throws Exception {
        Map<String, Object> spec = Api.spec(dataset);
        spec.remove("timeColumn");
        spec.remove("targetColumn");
        String valid = yaml.writeValueAsString(spec) + "timeColumn: date\ntargetColumn: demand\n";
        postYaml(valid).then().statusCode(201);

        // Jackson reads an alias as its anchor's name: timeColumn would be "date" instead of "demand", accepted
        Response aliased = postYaml(yaml.writeValueAsString(spec) + "targetColumn: &date demand\ntimeColumn: *date\n");
        Problems.assertProblem(aliased, 400);
        assertThat(aliased.jsonPath().getString("detail")).contains("alias");
        // two names: which one would be meant?
        Problems.assertProblem(postYaml(valid + "name: again\n"), 400);
        // nesting far deeper than any spec, in a field the spec ignores
        Problems.assertProblem(postYaml(valid + "notes: " + json.writeValueAsString(nested(30)) + "\n"), 400);
    }

    static Response postYaml(String body) {
        return given().contentType("application/yaml").body(body.getBytes(StandardCharsets.UTF_8))
                .post("/experiments");
    }

    @Test
    void hostileDatasetsAndIdsNeverBreakTheSchedulerNorEscapeTheirPrefix() {
        int n = 0;
        for (int i = 0; i < 300; i++, n++) {
            byte[] body = hostileCsv();
            String id = random.nextInt(3) == 0 ? hostileId() : "fz-" + UUID.randomUUID().toString().substring(0, 8);
            String partition = draw(Arbitraries.of("city", "date", "", " ", "nope", "\u0000"));
            String replace = draw(Arbitraries.of("true", "false", "", "yes", null));
            check("upload " + abbreviate(id) + " " + abbreviate(new String(body, StandardCharsets.UTF_8)), () -> {
                RequestSpecification request = given().contentType("text/csv").body(body).queryParam("id", id);
                if (random.nextBoolean()) {
                    request.queryParam("partitionColumn", partition);
                }
                if (replace != null) {
                    request.queryParam("replace", replace);
                }
                return request.post("/datasets");
            });
        }
        for (int i = 0; i < 150; i++, n++) {
            Map<String, Object> demo = new LinkedHashMap<>();
            demo.put("id", random.nextBoolean() ? hostileId() : "fz-demo-" + random.nextInt(5));
            demo.put("cities", draw(Arbitraries.oneOf(Arbitraries.integers().between(-3, 45).map(v -> (Object) v),
                    hostileValues())));
            demo.put("days", draw(Arbitraries.oneOf(Arbitraries.of(-1, 0, 59, 60, 7321).map(v -> (Object) v),
                    hostileValues())));
            if (random.nextBoolean()) {
                demo.put("visibility", draw(hostileValues()));
            }
            check("demo " + abbreviate(String.valueOf(demo)), () -> given().contentType(ContentType.JSON)
                    .body(demo).post("/datasets/demo"));
        }
        for (int i = 0; i < 200; i++, n++) {
            String id = hostileId();
            check("GET /datasets/" + abbreviate(id), () -> given().get("/datasets/{id}", id));
        }
        assertAllWell(n);
        assertThat(statuses).containsKeys(200, 201, 400, 404);
    }

    @Test
    void hostileQueryParametersAndPathsNeverBreakTheScheduler() {
        UUID experiment = Api.submitted(Api.spec(dataset));
        int n = 0;
        for (int i = 0; i < 1_000; i++, n++) {
            String a = hostileParameter();
            String b = hostileParameter();
            String c = hostileParameter();
            String d = hostileParameter();
            switch (i % 6) {
                case 0 -> check("GET /experiments?page=" + a + "&size=" + b + "&status=" + c + "&name=" + d,
                        () -> given().queryParam("page", a).queryParam("size", b).queryParam("status", c)
                                .queryParam("name", d).get("/experiments"));
                case 1 -> check("GET /experiments/" + experiment + "/runs?page=" + a + "&size=" + b,
                        () -> given().queryParam("page", a).queryParam("size", b)
                                .get("/experiments/" + experiment + "/runs"));
                case 2 -> check("GET /experiments/" + abbreviate(a), () -> given().get("/experiments/{id}", a));
                case 3 -> check("GET /experiments/.../runs/" + abbreviate(a),
                        () -> given().get("/experiments/{id}/runs/{run}", experiment, a));
                case 4 -> check("GET /datasets?page=" + a + "&size=" + b,
                        () -> given().queryParam("page", a).queryParam("size", b).get("/datasets"));
                default -> check("POST /experiments/" + abbreviate(a) + "/runs/" + abbreviate(b) + "/cancel",
                        () -> given().contentType(ContentType.JSON).body("{}")
                                .post("/experiments/{id}/runs/{run}/cancel", a, b));
            }
        }
        assertAllWell(n);
        assertThat(statuses).containsKeys(200, 400, 404);
    }

    // ----------------------------------------------------------------------------------- map mutation helpers

    @SuppressWarnings("unchecked")
    static Map<String, Object> deepCopy(Map<String, Object> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(k, v instanceof Map<?, ?> m ? deepCopy((Map<String, Object>) m) : v));
        return copy;
    }

    @SuppressWarnings("unchecked")
    static List<String> paths(Map<String, Object> map, String prefix) {
        List<String> paths = new ArrayList<>();
        map.forEach((k, v) -> {
            paths.add(prefix + k);
            if (v instanceof Map<?, ?> m && !k.contains(".")) {
                paths.addAll(paths((Map<String, Object>) m, prefix + k + "."));
            }
        });
        return paths;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parent(Map<String, Object> root, String path, boolean create) {
        Map<String, Object> map = root;
        String[] parts = path.split("\\.", -1);
        for (int i = 0; i < parts.length - 1; i++) {
            Object next = map.get(parts[i]);
            if (!(next instanceof Map<?, ?>)) {
                if (!create) {
                    return null;
                }
                next = new LinkedHashMap<String, Object>();
                map.put(parts[i], next);
            }
            Map<String, Object> child = new LinkedHashMap<>((Map<String, Object>) next);
            map.put(parts[i], child);
            map = child;
        }
        return map;
    }

    static void remove(Map<String, Object> root, String path) {
        Map<String, Object> parent = parent(root, path, false);
        if (parent != null) {
            parent.remove(path.substring(path.lastIndexOf('.') + 1));
        }
    }

    static void set(Map<String, Object> root, String path, Object value) {
        parent(root, path, true).put(path.substring(path.lastIndexOf('.') + 1), value);
    }
}
