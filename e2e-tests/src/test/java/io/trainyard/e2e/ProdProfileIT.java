package io.trainyard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The packaged services run in the prod profile, which has no default credentials: started without them, each
 * refuses to start, before it connects to anything, and names every setting that is missing. The processes get no
 * credentials at all, so none of them can reach a server (or take a message off a shared queue) by accident.
 */
class ProdProfileIT {

    static final String SECRET = "do-not-print-this-secret";

    static List<Arguments> services() {
        return List.of(
                Arguments.of("scheduler-service", List.of("RABBITMQ_USERNAME", "RABBITMQ_PASSWORD",
                        "QUARKUS_DATASOURCE_USERNAME", "MP_JWT_VERIFY_PUBLICKEY_LOCATION", "trainyard.s3.access-key",
                        "trainyard.s3.secret-key")),
                Arguments.of("results-service", List.of("RABBITMQ_USERNAME", "RABBITMQ_PASSWORD",
                        "QUARKUS_DATASOURCE_USERNAME", "MP_JWT_VERIFY_PUBLICKEY_LOCATION", "trainyard.s3.access-key",
                        "trainyard.s3.secret-key")),
                Arguments.of("trainer-service", List.of("RABBITMQ_USERNAME", "RABBITMQ_PASSWORD",
                        "trainyard.s3.access-key", "trainyard.s3.secret-key")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("services")
    void withoutCredentialsTheServiceRefusesToStartAndSaysWhatIsMissing(String module, List<String> missing)
            throws Exception {
        Path root = Path.of(System.getProperty("trainyard.root", ".."));
        Path jar = root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        assertThat(jar).as("package the services first (mvn package)").isRegularFile();
        Path log = Files.createDirectories(Path.of("target", "e2e-logs")).resolve("prod-" + module + ".log");

        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-Dquarkus.http.port=0", "-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("RABBITMQ") || name.startsWith("QUARKUS")
                || name.startsWith("TRAINYARD") || name.startsWith("MP_JWT"));
        // one credential is given: it must not show up in the message
        env.put("QUARKUS_DATASOURCE_PASSWORD", SECRET);
        Process process = builder.start();
        try {
            assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("%s exited; log:%n%s", module, read(log)).isTrue();
        } finally {
            process.destroyForcibly();
        }

        String output = read(log);
        assertThat(process.exitValue()).as(output).isNotZero();
        assertThat(output).contains("Configuration validation failed");
        for (String setting : missing) {
            assertThat(output).as("names %s", setting).contains(setting);
        }
        assertThat(output).doesNotContain(SECRET).doesNotContain("Listening on")
                .doesNotContain("Connection with RabbitMQ broker established")
                .doesNotContain("Migrating schema");
    }

    private static String read(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }
}
