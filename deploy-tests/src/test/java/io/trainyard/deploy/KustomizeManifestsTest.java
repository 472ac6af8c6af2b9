package io.trainyard.deploy;

import static io.trainyard.deploy.Rendered.container;
import static io.trainyard.deploy.Rendered.entries;
import static io.trainyard.deploy.Rendered.id;
import static io.trainyard.deploy.Rendered.name;
import static io.trainyard.deploy.Rendered.podLabels;
import static io.trainyard.deploy.Rendered.podSpec;
import static io.trainyard.deploy.Rendered.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves the k8s/ manifests without a cluster: every overlay is rendered with {@code kubectl kustomize} and the
 * objects are checked against each other, against the services' application.properties and against grafana/.
 */
class KustomizeManifestsTest {

    /** trainyard's services: their app label, their Maven module and the HTTP port they are configured with. */
    record Service(String app, String module, int port) {
    }

    static final List<Service> SERVICES = List.of(
            new Service("scheduler", "scheduler-service", 8080),
            new Service("results", "results-service", 8082),
            new Service("trainer", "trainer-service", 8101));

    /**
     * Secrets an overlay references but does not render: the operator creates them in the cluster (k8s/README.md
     * lists their keys). Any other missing Secret is an error.
     */
    static final Map<String, Set<String>> EXTERNAL_SECRETS = Map.of("prod", Set.of("trainyard-secrets"));

    /** Overlays that must not carry any credential (no Secret objects at all). */
    static final Set<String> NO_LITERAL_SECRETS = Set.of("prod");

    static final Pattern SECRET_LIKE = Pattern.compile("(?i).*(password|secret|access[_-]?key|token|credential).*");

    static List<String> overlays() {
        return Repo.overlays();
    }

    @Test
    void thereIsALocalAndAProdOverlay() {
        assertThat(overlays()).contains("local", "prod");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyContainerHasProbesAndResources(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        SoftAssertions soft = new SoftAssertions();
        assertThat(rendered.workloads()).as("workloads of %s", overlay).isNotEmpty();
        for (ObjectNode workload : rendered.workloads()) {
            for (JsonNode container : podSpec(workload).path("containers")) {
                String where = id(workload) + " container " + container.path("name").asText() + " (" + overlay + ")";
                soft.assertThat(container.has("readinessProbe")).as("%s has a readinessProbe", where).isTrue();
                soft.assertThat(container.has("livenessProbe")).as("%s has a livenessProbe", where).isTrue();
                for (String bound : List.of("requests", "limits")) {
                    JsonNode resources = container.path("resources").path(bound);
                    soft.assertThat(resources.has("cpu")).as("%s has resources.%s.cpu", where, bound).isTrue();
                    soft.assertThat(resources.has("memory")).as("%s has resources.%s.memory", where, bound).isTrue();
                }
            }
        }
        soft.assertAll();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void selectorsMatchPodLabels(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        SoftAssertions soft = new SoftAssertions();
        for (ObjectNode workload : rendered.workloads()) {
            JsonNode selector = workload.path("spec").path("selector");
            soft.assertThat(selector.has("matchExpressions")).as("%s: only matchLabels selectors are checked", id(workload))
                    .isFalse();
            Map<String, String> matchLabels = strings(selector.path("matchLabels"));
            soft.assertThat(matchLabels).as("%s selector", id(workload)).isNotEmpty();
            soft.assertThat(podLabels(workload)).as("%s pod template labels must match its selector", id(workload))
                    .containsAllEntriesOf(matchLabels);
        }
        for (ObjectNode service : rendered.ofKind("Service")) {
            Map<String, String> selector = strings(service.path("spec").path("selector"));
            soft.assertThat(rendered.workloadsSelectedBy(selector)).as("pods selected by %s %s", id(service), selector)
                    .isNotEmpty();
        }
        for (String kind : List.of("PodDisruptionBudget")) {
            for (ObjectNode budget : rendered.ofKind(kind)) {
                Map<String, String> selector = strings(budget.path("spec").path("selector").path("matchLabels"));
                soft.assertThat(rendered.workloadsSelectedBy(selector)).as("pods selected by %s", id(budget))
                        .isNotEmpty();
            }
        }
        for (ObjectNode scaled : rendered.ofKind("ScaledObject")) {
            JsonNode target = scaled.path("spec").path("scaleTargetRef");
            soft.assertThat(rendered.find(target.path("kind").asText("Deployment"), target.path("name").asText()))
                    .as("target of %s", id(scaled)).isPresent();
        }
        soft.assertAll();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyObjectIsInTheTrainyardNamespace(String overlay) {
        for (ObjectNode object : Rendered.of(overlay).objects()) {
            if (Set.of("Namespace", "ClusterRole", "ClusterRoleBinding").contains(object.path("kind").asText())) {
                continue;
            }
            assertThat(object.path("metadata").path("namespace").asText()).as("namespace of %s", id(object))
                    .isEqualTo("trainyard");
        }
    }

    /** A reference from a workload or a KEDA object to a ConfigMap or Secret, with the key it needs (or null). */
    record Reference(String from, String kind, String name, String key, boolean optional) {
    }

    static List<Reference> references(Rendered rendered) {
        List<Reference> refs = new ArrayList<>();
        for (ObjectNode workload : rendered.workloads()) {
            JsonNode pod = podSpec(workload);
            List<JsonNode> containers = new ArrayList<>();
            pod.path("initContainers").forEach(containers::add);
            pod.path("containers").forEach(containers::add);
            for (JsonNode c : containers) {
                String from = id(workload) + " container " + c.path("name").asText();
                for (JsonNode e : c.path("envFrom")) {
                    if (e.has("configMapRef")) {
                        refs.add(new Reference(from, "ConfigMap", e.path("configMapRef").path("name").asText(), null,
                                e.path("configMapRef").path("optional").asBoolean(false)));
                    }
                    if (e.has("secretRef")) {
                        refs.add(new Reference(from, "Secret", e.path("secretRef").path("name").asText(), null,
                                e.path("secretRef").path("optional").asBoolean(false)));
                    }
                }
                for (JsonNode e : c.path("env")) {
                    JsonNode cm = e.path("valueFrom").path("configMapKeyRef");
                    if (!cm.isMissingNode()) {
                        refs.add(new Reference(from + " env " + e.path("name").asText(), "ConfigMap",
                                cm.path("name").asText(), cm.path("key").asText(), cm.path("optional").asBoolean(false)));
                    }
                    JsonNode secret = e.path("valueFrom").path("secretKeyRef");
                    if (!secret.isMissingNode()) {
                        refs.add(new Reference(from + " env " + e.path("name").asText(), "Secret",
                                secret.path("name").asText(), secret.path("key").asText(),
                                secret.path("optional").asBoolean(false)));
                    }
                }
            }
            for (JsonNode v : pod.path("volumes")) {
                String from = id(workload) + " volume " + v.path("name").asText();
                volumeReferences(from, v, refs);
                for (JsonNode source : v.path("projected").path("sources")) {
                    volumeReferences(from, source, refs);
                }
            }
        }
        for (ObjectNode auth : rendered.ofKind("TriggerAuthentication")) {
            for (JsonNode ref : auth.path("spec").path("secretTargetRef")) {
                refs.add(new Reference(id(auth) + " parameter " + ref.path("parameter").asText(), "Secret",
                        ref.path("name").asText(), ref.path("key").asText(), false));
            }
        }
        return refs;
    }

    private static void volumeReferences(String from, JsonNode volume, List<Reference> refs) {
        JsonNode cm = volume.path("configMap");
        if (!cm.isMissingNode()) {
            addItems(from, "ConfigMap", cm.path("name").asText(), cm, refs);
        }
        JsonNode secret = volume.path("secret");
        if (!secret.isMissingNode()) {
            addItems(from, "Secret", secret.has("secretName") ? secret.path("secretName").asText()
                    : secret.path("name").asText(), secret, refs);
        }
    }

    private static void addItems(String from, String kind, String name, JsonNode source, List<Reference> refs) {
        boolean optional = source.path("optional").asBoolean(false);
        refs.add(new Reference(from, kind, name, null, optional));
        for (JsonNode item : source.path("items")) {
            refs.add(new Reference(from, kind, name, item.path("key").asText(), optional));
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyReferencedConfigMapAndSecretExistsWithItsKeys(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        Set<String> external = EXTERNAL_SECRETS.getOrDefault(overlay, Set.of());
        List<Reference> refs = references(rendered);
        assertThat(refs).as("references in %s", overlay).isNotEmpty();
        SoftAssertions soft = new SoftAssertions();
        for (Reference ref : refs) {
            var target = rendered.find(ref.kind(), ref.name());
            if (target.isEmpty()) {
                boolean allowed = ref.optional() || ("Secret".equals(ref.kind()) && external.contains(ref.name()));
                soft.assertThat(allowed).as("%s references %s %s, which %s does not render (and is not a listed"
                        + " external Secret: %s)", ref.from(), ref.kind(), ref.name(), overlay, external).isTrue();
                continue;
            }
            if (ref.key() != null) {
                soft.assertThat(entries(target.get())).as("%s references key %s of %s %s", ref.from(), ref.key(),
                        ref.kind(), ref.name()).containsKey(ref.key());
            }
        }
        soft.assertAll();
        // Every external Secret the overlay expects is in fact used (the list does not hide typos).
        Set<String> used = new TreeSet<>();
        refs.stream().filter(r -> "Secret".equals(r.kind())).forEach(r -> used.add(r.name()));
        assertThat(used).as("Secrets referenced in %s", overlay).containsAll(external);
    }

    @Test
    void theExternalSecretsOfProdNeedOnlyKeysTheDevelopmentSecretHasAndTheReadmeLists() throws IOException {
        Rendered prod = Rendered.of("prod");
        Rendered local = Rendered.of("local");
        String readme = Files.readString(Repo.root().resolve("k8s/README.md"));
        for (String secret : EXTERNAL_SECRETS.get("prod")) {
            Set<String> keys = new TreeSet<>();
            references(prod).stream().filter(r -> "Secret".equals(r.kind()) && secret.equals(r.name()) && r.key() != null)
                    .forEach(r -> keys.add(r.key()));
            assertThat(keys).as("keys of %s used in prod", secret).isNotEmpty();
            assertThat(entries(local.get("Secret", secret)).keySet()).as("keys of the development %s", secret)
                    .containsAll(keys);
            assertThat(readme).as("k8s/README.md names the Secret %s and each key prod needs", secret)
                    .contains(secret).contains(keys);
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void servicePortsMatchContainerPortsAndTheConfiguredHttpPorts(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        SoftAssertions soft = new SoftAssertions();
        for (ObjectNode service : rendered.ofKind("Service")) {
            Map<String, String> selector = strings(service.path("spec").path("selector"));
            List<ObjectNode> pods = rendered.workloadsSelectedBy(selector);
            for (JsonNode port : service.path("spec").path("ports")) {
                JsonNode target = port.has("targetPort") ? port.path("targetPort") : port.path("port");
                for (ObjectNode workload : pods) {
                    soft.assertThat(containerPort(workload, target)).as("%s port %s targets %s, a port of %s",
                            id(service), port.path("name").asText(), target.asText(), id(workload)).isNotNull();
                }
            }
        }
        for (Service svc : SERVICES) {
            String configured = Repo.applicationProperties(svc.module()).getProperty("quarkus.http.port");
            soft.assertThat(configured).as("quarkus.http.port of %s", svc.module()).isEqualTo(String.valueOf(svc.port()));
            ObjectNode workload = rendered.app(svc.app());
            JsonNode container = container(workload);
            Map<String, String> env = rendered.environment(container);
            soft.assertThat(env.getOrDefault("QUARKUS_HTTP_PORT", configured)).as("QUARKUS_HTTP_PORT of %s", svc.app())
                    .isEqualTo(String.valueOf(svc.port()));
            List<Integer> containerPorts = new ArrayList<>();
            container.path("ports").forEach(p -> containerPorts.add(p.path("containerPort").asInt()));
            soft.assertThat(containerPorts).as("container ports of %s", svc.app()).containsExactly(svc.port());
            for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
                if (container.has(probe)) {
                    JsonNode http = container.path(probe).path("httpGet");
                    soft.assertThat(containerPort(workload, http.path("port"))).as("%s port of %s", probe, svc.app())
                            .isEqualTo(svc.port());
                    soft.assertThat(http.path("path").asText()).as("%s path of %s", probe, svc.app())
                            .startsWith("/q/health");
                }
            }
            soft.assertThat(container.path("readinessProbe").path("httpGet").path("path").asText())
                    .as("readiness of %s", svc.app()).isEqualTo("/q/health/ready");
            soft.assertThat(container.path("livenessProbe").path("httpGet").path("path").asText())
                    .as("liveness of %s", svc.app()).isEqualTo("/q/health/live");
            List<ObjectNode> services = rendered.ofKind("Service").stream()
                    .filter(s -> strings(s.path("spec").path("selector")).get("app.kubernetes.io/name") != null
                            && svc.app().equals(strings(s.path("spec").path("selector")).get("app.kubernetes.io/name")))
                    .toList();
            soft.assertThat(services).as("Services of %s", svc.app()).isNotEmpty();
            for (ObjectNode s : services) {
                for (JsonNode port : s.path("spec").path("ports")) {
                    soft.assertThat(containerPort(workload, port.path("targetPort"))).as("%s targetPort", id(s))
                            .isEqualTo(svc.port());
                }
            }
        }
        soft.assertAll();
    }

    /** The container port a Service targetPort or probe port (number or name) resolves to in a workload, or null. */
    static Integer containerPort(JsonNode workload, JsonNode port) {
        for (JsonNode c : podSpec(workload).path("containers")) {
            for (JsonNode p : c.path("ports")) {
                if (port.isInt() ? p.path("containerPort").asInt() == port.asInt()
                        : port.asText().equals(p.path("name").asText())) {
                    return p.path("containerPort").asInt();
                }
            }
        }
        return null;
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void trainersOutliveTheirDrainAndRequestOneCorePerRun(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        ObjectNode trainer = rendered.get("Deployment", "trainer");
        Map<String, String> env = rendered.environment(container(trainer));
        var defaults = Repo.applicationProperties("trainer-service");
        Duration drain = duration(env.getOrDefault("TRAINYARD_TRAINER_DRAIN_TIMEOUT",
                defaults.getProperty("trainyard.trainer.drain-timeout", "60s")));
        Duration segment = duration(env.getOrDefault("TRAINYARD_TRAINER_SEGMENT_BUDGET",
                defaults.getProperty("trainyard.trainer.segment-budget", "20m")));
        long grace = podSpec(trainer).path("terminationGracePeriodSeconds").asLong(30);
        assertThat(grace).as("terminationGracePeriodSeconds of the trainer (drain timeout %s)", drain)
                .isGreaterThan(drain.toSeconds());

        assertThat(env).as("trainer pool comes from the environment").containsKey("TRAINYARD_TRAINER_POOL");
        String pool = env.get("TRAINYARD_TRAINER_POOL");
        int concurrency = Integer.parseInt(env.getOrDefault("TRAINYARD_TRAINER_CONCURRENCY",
                defaults.getProperty("trainyard.trainer.concurrency", "1")));
        // One intra-op thread per run (the image sets -Dai.djl.pytorch.num_threads=1): one core per run.
        assertThat(millicores(container(trainer).path("resources").path("requests").path("cpu").asText()))
                .as("trainer cpu request for %d run(s) of one thread", concurrency).isEqualTo(concurrency * 1000L);
        assertThat(millicores(container(trainer).path("resources").path("limits").path("cpu").asText()))
                .as("trainer cpu limit").isGreaterThanOrEqualTo(concurrency * 1000L);

        // The broker must not take a delivery back from a trainer that is within its segment budget.
        Map<String, String> rabbitConfig = entries(rendered.ofKind("ConfigMap").stream()
                .filter(cm -> entries(cm).containsKey("rabbitmq.conf")).findFirst()
                .orElseThrow(() -> new AssertionError("no ConfigMap with rabbitmq.conf in " + overlay)));
        Matcher timeout = Pattern.compile("(?m)^\\s*consumer_timeout\\s*=\\s*(\\d+)").matcher(rabbitConfig.get("rabbitmq.conf"));
        assertThat(timeout.find()).as("consumer_timeout set in rabbitmq.conf").isTrue();
        assertThat(Duration.ofMillis(Long.parseLong(timeout.group(1)))).as("RabbitMQ consumer_timeout")
                .isGreaterThan(segment.plus(drain));
        assertThat(rabbitConfig.get("enabled_plugins")).contains("rabbitmq_management", "rabbitmq_prometheus");

        for (ObjectNode scaled : rendered.ofKind("ScaledObject")) {
            JsonNode spec = scaled.path("spec");
            assertThat(spec.path("scaleTargetRef").path("name").asText()).isEqualTo("trainer");
            assertThat(spec.path("minReplicaCount").asInt(-1)).as("minReplicaCount").isZero();
            assertThat(spec.path("cooldownPeriod").asLong()).as("cooldownPeriod (s) longer than the drain and grace")
                    .isGreaterThan(Math.max(drain.toSeconds(), grace));
            JsonNode trigger = spec.path("triggers").get(0);
            assertThat(trigger.path("type").asText()).isEqualTo("rabbitmq");
            JsonNode metadata = trigger.path("metadata");
            assertThat(metadata.path("queueName").asText()).isEqualTo("trainer." + pool);
            assertThat(metadata.path("mode").asText()).isEqualTo("QueueLength");
            // Unacked messages are only counted through the management API.
            assertThat(metadata.path("protocol").asText()).isEqualTo("http");
            assertThat(metadata.path("excludeUnacknowledged").asText("false")).isEqualTo("false");
            String auth = trigger.path("authenticationRef").path("name").asText();
            assertThat(rendered.find("TriggerAuthentication", auth)).as("TriggerAuthentication %s", auth).isPresent();
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void grafanaMountsExactlyTheDashboardFilesOfTheRepository(String overlay) throws IOException {
        Rendered rendered = Rendered.of(overlay);
        ObjectNode grafana = rendered.app("grafana");
        JsonNode container = container(grafana);
        Map<String, String> mounts = new TreeMap<>();
        container.path("volumeMounts").forEach(m -> mounts.put(m.path("mountPath").asText(), m.path("name").asText()));

        // The dashboard provider says where the JSON files are; that directory must be a mounted ConfigMap.
        ObjectNode providers = configMapMountedAt(rendered, grafana, mounts, "/etc/grafana/provisioning/dashboards");
        List<String> paths = new ArrayList<>();
        for (String file : entries(providers).values()) {
            Kustomize.YAML.readTree(file).path("providers")
                    .forEach(p -> paths.add(p.path("options").path("path").asText()));
        }
        assertThat(paths).as("dashboard provider paths").hasSize(1);
        ObjectNode dashboards = configMapMountedAt(rendered, grafana, mounts, paths.get(0));

        TreeMap<String, Path> files = Repo.dashboardFiles();
        Map<String, String> mounted = new TreeMap<>(entries(dashboards));
        assertThat(mounted.keySet()).as("dashboards mounted in Grafana (ConfigMap %s) must be exactly the JSON files"
                + " of %s: add each file to the grafana-dashboards generator in k8s/base/kustomization.yaml",
                name(dashboards), Repo.root().resolve(Repo.DASHBOARDS_DIR)).containsExactlyElementsOf(files.keySet());
        for (var file : files.entrySet()) {
            assertThat(mounted.get(file.getKey())).as("mounted %s equals %s", file.getKey(), file.getValue())
                    .isEqualTo(Files.readString(file.getValue(), StandardCharsets.UTF_8));
        }

        ObjectNode datasources = configMapMountedAt(rendered, grafana, mounts, "/etc/grafana/provisioning/datasources");
        List<JsonNode> sources = new ArrayList<>();
        for (String file : entries(datasources).values()) {
            Kustomize.YAML.readTree(file).path("datasources").forEach(sources::add);
        }
        assertThat(sources).as("Prometheus data source with uid prometheus").anySatisfy(ds -> {
            assertThat(ds.path("type").asText()).isEqualTo("prometheus");
            assertThat(ds.path("uid").asText()).isEqualTo("prometheus");
        });
        assertThat(sources).as("PostgreSQL data source on the results database").anySatisfy(ds -> {
            assertThat(ds.path("type").asText()).containsIgnoringCase("postgres");
            assertThat(ds.path("jsonData").path("database").asText()).isEqualTo("trainyard_results");
        });
    }

    private static ObjectNode configMapMountedAt(Rendered rendered, JsonNode workload, Map<String, String> mounts,
            String path) {
        String volume = mounts.get(path);
        assertThat(volume).as("a volume mounted at %s in %s (mounts %s)", path, id(workload), mounts).isNotNull();
        for (JsonNode v : podSpec(workload).path("volumes")) {
            if (volume.equals(v.path("name").asText())) {
                assertThat(v.has("configMap")).as("volume %s is a ConfigMap", volume).isTrue();
                return rendered.get("ConfigMap", v.path("configMap").path("name").asText());
            }
        }
        throw new AssertionError("no volume " + volume + " in " + id(workload));
    }

    /** Prometheus's configuration as mounted: the ConfigMap at the directory of its --config.file. */
    static Map<String, String> prometheusFiles(Rendered rendered) {
        ObjectNode prometheus = rendered.app("prometheus");
        JsonNode container = container(prometheus);
        String configFile = null;
        for (JsonNode arg : container.path("args")) {
            if (arg.asText().startsWith("--config.file=")) {
                configFile = arg.asText().substring("--config.file=".length());
            }
        }
        assertThat(configFile).as("--config.file of Prometheus").isNotNull();
        Path file = Path.of(configFile);
        Map<String, String> mounts = new TreeMap<>();
        container.path("volumeMounts").forEach(m -> mounts.put(m.path("mountPath").asText(), m.path("name").asText()));
        Map<String, String> files = entries(configMapMountedAt(rendered, prometheus, mounts, file.getParent().toString()));
        assertThat(files).as("Prometheus config directory").containsKey(file.getFileName().toString());
        Map<String, String> byPath = new TreeMap<>();
        files.forEach((k, v) -> byPath.put(file.getParent().resolve(k).toString(), v));
        byPath.put("config", files.get(file.getFileName().toString()));
        return byPath;
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void prometheusScrapesEveryServiceAndRabbitMq(String overlay) throws IOException {
        Rendered rendered = Rendered.of(overlay);
        Map<String, String> files = prometheusFiles(rendered);
        JsonNode config = Kustomize.YAML.readTree(files.get("config"));
        SoftAssertions soft = new SoftAssertions();
        for (Service svc : SERVICES) {
            List<JsonNode> jobs = new ArrayList<>();
            for (JsonNode job : config.path("scrape_configs")) {
                if (scrapes(rendered, job, svc.app(), svc.port())) {
                    jobs.add(job);
                }
            }
            soft.assertThat(jobs).as("scrape jobs for %s pods on port %d", svc.app(), svc.port()).hasSize(1);
            jobs.forEach(job -> soft.assertThat(job.path("metrics_path").asText()).as("metrics_path of %s", svc.app())
                    .isEqualTo("/q/metrics"));
        }
        List<String> rabbitTargets = new ArrayList<>();
        for (JsonNode job : config.path("scrape_configs")) {
            job.path("static_configs").forEach(s -> s.path("targets").forEach(t -> rabbitTargets.add(t.asText())));
        }
        soft.assertThat(rabbitTargets).as("RabbitMQ's Prometheus plugin is scraped")
                .anyMatch(t -> t.matches("rabbitmq(\\.trainyard(\\.svc(\\.cluster\\.local)?)?)?:15692"));
        soft.assertThat(rendered.get("Service", "rabbitmq").path("spec").path("ports").findValuesAsText("port"))
                .contains("15692");
        for (JsonNode ruleFile : config.path("rule_files")) {
            soft.assertThat(files).as("rule file %s is mounted", ruleFile.asText()).containsKey(ruleFile.asText());
        }
        soft.assertThat(config.path("rule_files").size()).as("alert rules loaded").isPositive();
        soft.assertAll();
    }

    /**
     * Whether a scrape job reaches the pods of an app on a port: DNS discovery of a headless Service that selects
     * exactly those pods, or a static target of a Service of them.
     */
    private static boolean scrapes(Rendered rendered, JsonNode job, String app, int port) {
        List<String> hosts = new ArrayList<>();
        for (JsonNode dns : job.path("dns_sd_configs")) {
            if (dns.path("port").asInt() == port && "A".equals(dns.path("type").asText("SRV"))) {
                dns.path("names").forEach(n -> hosts.add(n.asText()));
            }
        }
        for (JsonNode s : job.path("static_configs")) {
            for (JsonNode t : s.path("targets")) {
                String[] hostPort = t.asText().split(":");
                if (hostPort.length == 2 && hostPort[1].equals(String.valueOf(port))) {
                    hosts.add(hostPort[0]);
                }
            }
        }
        for (String host : hosts) {
            String serviceName = host.split("\\.")[0];
            var service = rendered.find("Service", serviceName);
            if (service.isEmpty()) {
                continue;
            }
            boolean headless = "None".equals(service.get().path("spec").path("clusterIP").asText());
            boolean dns = !job.path("dns_sd_configs").isEmpty();
            Map<String, String> selector = strings(service.get().path("spec").path("selector"));
            // Through a ClusterIP Service only one replica would answer each scrape: DNS needs a headless one.
            if (app.equals(selector.get("app.kubernetes.io/name")) && (headless || !dns && replicas(rendered, app) <= 1)) {
                return true;
            }
        }
        return false;
    }

    private static int replicas(Rendered rendered, String app) {
        return rendered.app(app).path("spec").path("replicas").asInt(1);
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void promtoolAcceptsThePrometheusConfigAndRules(String overlay, @TempDir Path dir) throws IOException {
        String promtool = Kustomize.promtool();
        Map<String, String> files = prometheusFiles(Rendered.of(overlay));
        ObjectNode config = (ObjectNode) Kustomize.YAML.readTree(files.get("config"));
        ArrayNode ruleFiles = config.putArray("rule_files");
        List<String> rules = new ArrayList<>();
        for (JsonNode ruleFile : (ArrayNode) Kustomize.YAML.readTree(files.get("config")).path("rule_files")) {
            Path local = dir.resolve(Path.of(ruleFile.asText()).getFileName());
            Files.writeString(local, files.get(ruleFile.asText()));
            ruleFiles.add(local.toString());
            rules.add(local.toString());
        }
        Path configFile = dir.resolve("prometheus.yml");
        Kustomize.YAML.writeValue(configFile.toFile(), config);
        String out = Kustomize.run(List.of(promtool, "check", "config", configFile.toString()));
        assertThat(out).contains("SUCCESS");
        assertThat(rules).isNotEmpty();
        List<String> checkRules = new ArrayList<>(List.of(promtool, "check", "rules"));
        checkRules.addAll(rules);
        assertThat(Kustomize.run(checkRules)).contains("SUCCESS");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void credentialsComeFromSecretsAndProdCarriesNone(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        SoftAssertions soft = new SoftAssertions();
        for (ObjectNode workload : rendered.workloads()) {
            for (JsonNode c : podSpec(workload).path("containers")) {
                for (JsonNode e : c.path("env")) {
                    String var = e.path("name").asText();
                    if (SECRET_LIKE.matcher(var).matches()) {
                        soft.assertThat(e.has("value")).as("%s env %s is a literal: use a secretKeyRef", id(workload), var)
                                .isFalse();
                    }
                }
            }
        }
        for (ObjectNode cm : rendered.ofKind("ConfigMap")) {
            for (String key : entries(cm).keySet()) {
                soft.assertThat(SECRET_LIKE.matcher(key).matches()).as("ConfigMap %s holds %s: credentials belong in a"
                        + " Secret", name(cm), key).isFalse();
            }
        }
        for (ObjectNode keda : rendered.ofKind("ScaledObject")) {
            for (JsonNode trigger : keda.path("spec").path("triggers")) {
                soft.assertThat(trigger.path("metadata").path("host").asText()).as("%s host carries no credentials",
                        id(keda)).doesNotContain("@");
            }
        }
        if (NO_LITERAL_SECRETS.contains(overlay)) {
            for (ObjectNode secret : rendered.ofKind("Secret")) {
                soft.assertThat(secret.has("data") || secret.has("stringData"))
                        .as("%s renders Secret %s with data: prod must reference an existing Secret", overlay,
                                name(secret)).isFalse();
            }
        }
        soft.assertAll();
    }

    @Test
    void theLocalOverlayRunsLocallyBuiltImages() {
        Rendered local = Rendered.of("local");
        for (Service svc : SERVICES) {
            JsonNode container = container(local.app(svc.app()));
            assertThat(container.path("image").asText()).isEqualTo("trainyard/" + svc.module() + ":latest");
            assertThat(container.path("imagePullPolicy").asText()).isEqualTo("IfNotPresent");
        }
    }

    @Test
    void prodHasDisruptionBudgetsAndNetworkPolicies() {
        Rendered prod = Rendered.of("prod");
        Set<String> budgeted = new HashSet<>();
        prod.ofKind("PodDisruptionBudget").forEach(p -> budgeted.add(
                strings(p.path("spec").path("selector").path("matchLabels")).get("app.kubernetes.io/name")));
        assertThat(budgeted).contains("scheduler", "trainer");
        assertThat(prod.ofKind("NetworkPolicy")).extracting(Rendered::name).contains("default-deny-ingress");
        assertThat(prod.get("Deployment", "scheduler").path("spec").path("replicas").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(prod.ofKind("ScaledObject")).as("KEDA scales trainers in prod").hasSize(1);
    }

    @Test
    void postgresCreatesTheDatabasesTheServicesUse() {
        Rendered local = Rendered.of("local");
        String init = local.ofKind("ConfigMap").stream().flatMap(cm -> entries(cm).entrySet().stream())
                .filter(e -> e.getKey().endsWith(".sh") || e.getKey().endsWith(".sql")).map(Map.Entry::getValue)
                .reduce("", String::concat);
        for (String app : List.of("scheduler", "results")) {
            Map<String, String> env = local.environment(container(local.app(app)));
            String url = env.get("QUARKUS_DATASOURCE_JDBC_URL");
            assertThat(url).as("JDBC URL of %s", app).isNotNull();
            String database = url.substring(url.lastIndexOf('/') + 1);
            assertThat(init).as("init script creates %s", database).containsIgnoringCase("CREATE DATABASE " + database);
            assertThat(env.get("QUARKUS_DATASOURCE_REACTIVE_URL")).as("reactive URL of %s", app).endsWith("/" + database);
        }
    }

    static long millicores(String quantity) {
        return quantity.endsWith("m") ? Long.parseLong(quantity.substring(0, quantity.length() - 1))
                : Math.round(Double.parseDouble(quantity) * 1000);
    }

    /** A Quarkus duration: ISO-8601 (PT60S), a number with a unit (500ms, 60s, 20m, 1h, 2d) or plain seconds. */
    static Duration duration(String text) {
        String value = text.trim();
        if (value.toUpperCase().startsWith("P")) {
            return Duration.parse(value.toUpperCase());
        }
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h|d)?").matcher(value);
        if (!m.matches()) {
            fail("not a duration: %s", text);
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
