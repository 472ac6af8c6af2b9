package io.trainyard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The objects of one rendered overlay, with the look-ups the checks need. */
record Rendered(String overlay, List<ObjectNode> objects) {

    static final Set<String> WORKLOAD_KINDS = Set.of("Deployment", "StatefulSet", "DaemonSet");

    static Rendered of(String overlay) {
        return new Rendered(overlay, Kustomize.render(overlay));
    }

    List<ObjectNode> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    Optional<ObjectNode> find(String kind, String name) {
        return ofKind(kind).stream().filter(o -> name.equals(name(o))).findFirst();
    }

    ObjectNode get(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError(
                "overlay " + overlay + " renders no " + kind + " named " + name));
    }

    List<ObjectNode> workloads() {
        return objects.stream().filter(o -> WORKLOAD_KINDS.contains(o.path("kind").asText())).toList();
    }

    static String name(JsonNode object) {
        return object.path("metadata").path("name").asText();
    }

    static String id(JsonNode object) {
        return object.path("kind").asText() + "/" + name(object);
    }

    static JsonNode podSpec(JsonNode workload) {
        return workload.path("spec").path("template").path("spec");
    }

    static Map<String, String> podLabels(JsonNode workload) {
        return strings(workload.path("spec").path("template").path("metadata").path("labels"));
    }

    /** The only container of a workload (the trainyard workloads have one each). */
    static JsonNode container(JsonNode workload) {
        JsonNode containers = podSpec(workload).path("containers");
        assertThat(containers.size()).as("containers of %s", id(workload)).isEqualTo(1);
        return containers.get(0);
    }

    static Map<String, String> strings(JsonNode object) {
        Map<String, String> map = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }

    /** A ConfigMap's or Secret's entries, decoded (Secret data is base64). */
    static Map<String, String> entries(JsonNode configMapOrSecret) {
        Map<String, String> entries = new LinkedHashMap<>(strings(configMapOrSecret.path("stringData")));
        boolean secret = "Secret".equals(configMapOrSecret.path("kind").asText());
        configMapOrSecret.path("data").fields().forEachRemaining(e -> entries.put(e.getKey(),
                secret ? new String(Base64.getDecoder().decode(e.getValue().asText()), StandardCharsets.UTF_8)
                        : e.getValue().asText()));
        configMapOrSecret.path("binaryData").fields().forEachRemaining(e -> entries.put(e.getKey(), "<binary>"));
        return entries;
    }

    /**
     * A container's environment as it would be at runtime: envFrom ConfigMaps first, then env literals
     * (values from Secrets or fields are shown as "&lt;from ...&gt;").
     */
    Map<String, String> environment(JsonNode container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode from : container.path("envFrom")) {
            if (from.has("configMapRef")) {
                find("ConfigMap", from.path("configMapRef").path("name").asText())
                        .ifPresent(cm -> env.putAll(entries(cm)));
            }
        }
        for (JsonNode var : container.path("env")) {
            env.put(var.path("name").asText(), var.has("value") ? var.path("value").asText()
                    : "<from " + var.path("valueFrom").fieldNames().next() + ">");
        }
        return env;
    }

    /** Workloads whose pod labels carry every label of the selector. */
    List<ObjectNode> workloadsSelectedBy(Map<String, String> selector) {
        List<ObjectNode> selected = new ArrayList<>();
        if (selector.isEmpty()) {
            return selected;
        }
        for (ObjectNode workload : workloads()) {
            if (podLabels(workload).entrySet().containsAll(selector.entrySet())) {
                selected.add(workload);
            }
        }
        return selected;
    }

    /** The workload of one of trainyard's own services, by its app.kubernetes.io/name label. */
    ObjectNode app(String name) {
        List<ObjectNode> found = workloadsSelectedBy(Map.of("app.kubernetes.io/name", name));
        assertThat(found).as("workloads labelled app.kubernetes.io/name=%s in overlay %s", name, overlay).hasSize(1);
        return found.get(0);
    }
}
