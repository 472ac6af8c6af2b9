package io.trainyard.deploy;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Renders an overlay with {@code kubectl kustomize} (offline, no cluster) and parses every object. */
final class Kustomize {

    static final YAMLMapper YAML = new YAMLMapper();

    private static final ConcurrentHashMap<String, List<ObjectNode>> RENDERED = new ConcurrentHashMap<>();

    private Kustomize() {
    }

    /** The rendered objects of k8s/overlays/&lt;overlay&gt;, rendered once per test run. */
    static List<ObjectNode> render(String overlay) {
        return RENDERED.computeIfAbsent(overlay, Kustomize::doRender);
    }

    private static List<ObjectNode> doRender(String overlay) {
        Path dir = Repo.root().resolve("k8s/overlays").resolve(overlay);
        // LoadRestrictionsNone: the dashboards are read from the repository's grafana/ directory, outside k8s/
        // (the same flag k8s/README.md uses to deploy).
        String yaml = run(List.of(kubectl(), "kustomize", "--load-restrictor", "LoadRestrictionsNone", dir.toString()));
        List<ObjectNode> objects = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(yaml)) {
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode node = it.next();
                if (node != null && node.isObject() && !node.isEmpty()) {
                    objects.add((ObjectNode) node);
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot parse the output of kubectl kustomize " + dir + ": " + e.getMessage(), e);
        }
        if (objects.isEmpty()) {
            fail("kubectl kustomize %s rendered no objects", dir);
        }
        return objects;
    }

    /** kubectl from the PATH (or /usr/bin/kubectl); a missing kubectl fails the checks, it never skips them. */
    static String kubectl() {
        String found = onPath("kubectl");
        if (found == null && Files.isExecutable(Path.of("/usr/bin/kubectl"))) {
            found = "/usr/bin/kubectl";
        }
        if (found == null) {
            fail("kubectl is not installed (not on the PATH nor at /usr/bin/kubectl): the deployment checks render"
                    + " k8s/overlays/* with `kubectl kustomize` and cannot run without it. Install kubectl"
                    + " (https://kubernetes.io/docs/tasks/tools/) — no cluster is needed.");
        }
        return found;
    }

    /**
     * promtool from the PATH. Without it a check is skipped on a workstation but fails when the environment variable
     * CI is set: CI runs {@code bin/trainyard setup}, which installs Debian's prometheus package (with promtool), so
     * a missing promtool there is a broken setup that must not let the rules and config checks pass unseen.
     */
    static String promtool() {
        String found = onPath("promtool");
        if (found == null) {
            String message = "promtool is not on the PATH (Debian/Ubuntu: apt-get install prometheus, which"
                    + " bin/trainyard setup does)";
            String ci = System.getenv("CI");
            if (ci != null && !ci.isBlank()) {
                fail("%s: in CI the Prometheus rules and config must be checked", message);
            }
            Assumptions.abort(message + ": the Prometheus rules and config are not checked by promtool in this run");
        }
        return found;
    }

    /** An executable's absolute path from the PATH, or null. */
    static String onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    /** Runs a command, returns its standard output; fails with its output when it exits non-zero. */
    static String run(List<String> command) {
        try {
            Path out = Files.createTempFile("deploy-tests", ".out");
            Path err = Files.createTempFile("deploy-tests", ".err");
            try {
                Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                        .start();
                if (!process.waitFor(120, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    fail("%s did not finish within 120 s", String.join(" ", command));
                }
                String stdout = Files.readString(out, StandardCharsets.UTF_8);
                String stderr = Files.readString(err, StandardCharsets.UTF_8);
                if (process.exitValue() != 0) {
                    fail("%s exited with %d:%n%s%n%s", String.join(" ", command), process.exitValue(), stdout, stderr);
                }
                return stdout;
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + String.join(" ", command), e);
        }
    }
}
