package io.trainyard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The alert rules (k8s/base/prometheus/trainyard-alerts.yml, loaded by Prometheus on Kubernetes and by
 * bin/trainyard's local one) pass their {@code promtool test rules} unit tests, every alert is tested firing, and
 * the file has no copy elsewhere in the repository.
 */
class AlertRulesTest {

    static final String RULES = "k8s/base/prometheus/trainyard-alerts.yml";
    static final String TESTS = "k8s/base/prometheus/trainyard-alerts.test.yml";

    /** The alerts users want to be woken for (issue 5); a rule missing here means one of them went unwatched. */
    static final Set<String> REQUIRED = Set.of("TrainyardExperimentFailureRate", "TrainyardCommandsDeadLettered",
            "TrainyardDeadLetteredCommands", "TrainyardQueueWithoutConsumers", "TrainyardCheckpointsFailing",
            "TrainyardServiceDown", "TrainyardSchedulerMissing", "TrainyardResultsMissing");

    @Test
    void promtoolUnitTestsOfTheRulesPass() {
        String promtool = Kustomize.promtool();
        String out = Kustomize.run(List.of(promtool, "test", "rules", Repo.root().resolve(TESTS).toString()));
        assertThat(out).contains("SUCCESS");
    }

    @Test
    void everyAlertIsTestedFiringAndTheOnesUsersNeedExist() throws IOException {
        Set<String> alerts = new TreeSet<>();
        for (JsonNode group : Kustomize.YAML.readTree(Repo.root().resolve(RULES).toFile()).path("groups")) {
            group.path("rules").forEach(r -> {
                if (r.has("alert")) {
                    alerts.add(r.path("alert").asText());
                }
            });
        }
        assertThat(alerts).containsAll(REQUIRED);

        JsonNode tests = Kustomize.YAML.readTree(Repo.root().resolve(TESTS).toFile());
        assertThat(tests.path("rule_files").get(0).asText()).as("rule file under test").isEqualTo(
                Path.of(RULES).getFileName().toString());
        Set<String> firing = new TreeSet<>();
        for (JsonNode test : tests.path("tests")) {
            for (JsonNode check : test.path("alert_rule_test")) {
                if (!check.path("exp_alerts").isEmpty()) {
                    firing.add(check.path("alertname").asText());
                }
            }
        }
        assertThat(firing).as("alerts a test expects to fire (%s)", TESTS).containsAll(alerts);
    }

    @Test
    void theRulesHaveOneCopyWhichBinTrainyardLoads() throws IOException {
        Path root = Repo.root();
        String name = Path.of(RULES).getFileName().toString();
        List<Path> copies = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                // build output, git's objects and bin/trainyard's state (data of the local stack)
                return Set.of("target", ".git", ".trainyard").contains(dir.getFileName().toString())
                        ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (file.getFileName().toString().equals(name)) {
                    copies.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        assertThat(copies).as("files named %s", name).containsExactly(root.resolve(RULES));
        assertThat(Files.readString(root.resolve("bin/trainyard"))).as("bin/trainyard's Prometheus loads the rules")
                .contains("$ROOT/" + RULES);
    }
}
