package io.trainyard.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Paths in the repository, found from this module's directory (the repository root is its parent). */
final class Repo {

    /** The directory Grafana dashboards are provisioned from (k8s/base/kustomization.yaml mounts its files). */
    static final String DASHBOARDS_DIR = "grafana/dashboards";

    private Repo() {
    }

    static Path root() {
        String moduleDir = System.getProperty("trainyard.deploy-tests.dir", System.getProperty("user.dir"));
        Path root = Path.of(moduleDir).toAbsolutePath().normalize().getParent();
        if (root == null || !Files.isDirectory(root.resolve("k8s"))) {
            throw new IllegalStateException("cannot find the repository root (with k8s/) above " + moduleDir);
        }
        return root;
    }

    /** Every overlay: each directory under k8s/overlays with a kustomization.yaml. */
    static List<String> overlays() {
        Path dir = root().resolve("k8s/overlays");
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> Files.isRegularFile(p.resolve("kustomization.yaml")))
                    .map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The dashboard files Grafana must show, by file name: every *.json in grafana/dashboards/; while that
     * directory does not exist, whatever *.json files grafana/ holds (outside provisioning/); none when there is
     * no grafana/ directory at all.
     */
    static TreeMap<String, Path> dashboardFiles() {
        Path grafana = root().resolve("grafana");
        Path dashboards = root().resolve(DASHBOARDS_DIR);
        Path from = Files.isDirectory(dashboards) ? dashboards : grafana;
        TreeMap<String, Path> files = new TreeMap<>();
        if (!Files.isDirectory(from)) {
            return files;
        }
        try (Stream<Path> all = Files.walk(from)) {
            all.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().endsWith(".json"))
                    .filter(p -> !from.relativize(p).toString().startsWith("provisioning"))
                    .forEach(p -> {
                        Path previous = files.put(p.getFileName().toString(), p);
                        if (previous != null) {
                            throw new IllegalStateException("two dashboards named " + p.getFileName() + ": "
                                    + previous + " and " + p + " (a ConfigMap is flat: names must be unique)");
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** A service module's src/main/resources/application.properties. */
    static Properties applicationProperties(String module) {
        Path file = root().resolve(module).resolve("src/main/resources/application.properties");
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return properties;
    }
}
