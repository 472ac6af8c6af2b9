package io.trainyard.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.http.ContentType;
import io.trainyard.contracts.testing.TestTokens;
import io.trainyard.storage.testing.S3ProxyServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/trainyard token USER ROLE} issues tokens that the packaged scheduler accepts when it verifies with the
 * local stack's key ({@code .trainyard/jwt/public.pem}, what bin/trainyard gives the services), with the user and
 * role the script was asked for.
 */
class TokenScriptIT {

    static Path root;
    static S3ProxyServer s3;
    static ServiceProcess scheduler;

    @BeforeAll
    static void startScheduler() throws Exception {
        root = Path.of(System.getProperty("trainyard.root", "..")).toAbsolutePath().normalize();
        token("e2e-ada", "admin"); // makes the key pair on a fresh clone
        s3 = S3ProxyServer.start();
        Map<String, String> p = new HashMap<>();
        p.put("trainyard.s3.endpoint", s3.endpoint());
        p.put("trainyard.s3.access-key", S3ProxyServer.ACCESS_KEY);
        p.put("trainyard.s3.secret-key", S3ProxyServer.SECRET_KEY);
        p.put("trainyard.s3.bucket", "e2e-tokens");
        p.put("quarkus.datasource.reactive.url", "postgresql://127.0.0.1:5432/trainyard_scheduler_e2e");
        p.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/trainyard_scheduler_e2e");
        p.put("mp.jwt.verify.publickey.location", root.resolve(".trainyard/jwt/public.pem").toString());
        // a queue of its own: no other test's scheduler competes for its events (it expects none)
        String channel = "mp.messaging.incoming.run-events.";
        p.put(channel + "queue.name", "e2e-tokens.scheduler.run-events");
        p.put(channel + "queue.x-queue-type", "classic");
        p.put(channel + "queue.durable", "false");
        p.put(channel + "queue.auto-delete", "true");
        scheduler = ServiceProcess.start("tokens-scheduler", "scheduler-service", p).awaitReady(Duration.ofSeconds(120));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {scheduler, s3}) {
            if (c != null) {
                c.close();
            }
        }
    }

    /** Runs bin/trainyard token and returns what it printed: the token alone. */
    static String token(String user, String role) throws Exception {
        Process process = new ProcessBuilder(root.resolve("bin/trainyard").toString(), "token", user, role)
                .directory(root.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("bin/trainyard token %s %s", user, role).isZero();
        assertThat(out).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
        return out;
    }

    @Test
    void theScriptsTokensCarryTheirUserAndRole() throws Exception {
        String dataset = "e2e-tok-" + UUID.randomUUID().toString().substring(0, 8);
        String alice = token("e2e-alice", "researcher");
        given().baseUri(scheduler.url()).auth().oauth2(alice).contentType(ContentType.JSON)
                .body(Map.of("id", dataset, "cities", 2, "days", 60)).post("/datasets/demo").then().statusCode(201)
                .body("owner", org.hamcrest.Matchers.equalTo("e2e-alice"));

        given().baseUri(scheduler.url()).auth().oauth2(token("e2e-vic", "viewer")).get("/datasets/" + dataset)
                .then().statusCode(404);
        given().baseUri(scheduler.url()).auth().oauth2(token("e2e-vic", "viewer")).contentType(ContentType.JSON)
                .body(Map.of("id", dataset + "-v")).post("/datasets/demo").then().statusCode(403);
        given().baseUri(scheduler.url()).auth().oauth2(token("e2e-ada", "admin")).get("/datasets/" + dataset)
                .then().statusCode(200);
        given().baseUri(scheduler.url()).auth().none().get("/datasets/" + dataset).then().statusCode(401);
        // a token the script did not sign is worth nothing to a scheduler that trusts the script's key
        given().baseUri(scheduler.url()).auth().oauth2(TestTokens.admin()).get("/datasets/" + dataset).then()
                .statusCode(401);
    }

    @Test
    void hoursWithALeadingZeroAreDecimal() throws Exception {
        Process process = new ProcessBuilder(root.resolve("bin/trainyard").toString(), "token", "e2e-hal",
                "researcher", "--hours", "08").directory(root.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        var claims = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                java.util.Base64.getUrlDecoder().decode(out.split("\\.")[1]));
        assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isEqualTo(8 * 3600);
    }

    @Test
    void theScriptRefusesUsersAndRolesTheServicesWouldNot() throws Exception {
        for (String[] args : new String[][] {{"../alice", "admin"}, {"alice", "root"}, {"alice"}}) {
            String[] command = new String[args.length + 2];
            command[0] = root.resolve("bin/trainyard").toString();
            command[1] = "token";
            System.arraycopy(args, 0, command, 2, args.length);
            Process process = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(out).isNotZero();
            assertThat(out).startsWith("error:");
        }
    }
}
