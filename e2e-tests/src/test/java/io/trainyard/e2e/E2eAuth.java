package io.trainyard.e2e;

import io.restassured.RestAssured;
import io.trainyard.contracts.testing.TestTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What packaged services need to run here: they start in the prod profile, which has no credentials and trusts no
 * token key by default. The tests pass the local servers' credentials and the public key of {@link TestTokens}, and
 * REST Assured sends an admin token unless a test says otherwise.
 */
final class E2eAuth {

    private E2eAuth() {
    }

    /** System properties that let {@code module} start against the local servers and trust the tests' tokens. */
    static Map<String, String> serviceProperties(String module) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("rabbitmq-username", "guest");
        properties.put("rabbitmq-password", "guest");
        if (!module.equals("trainer-service")) {
            properties.put("quarkus.datasource.username", "postgres");
            // the local PostgreSQL trusts 127.0.0.1 and ignores it
            properties.put("quarkus.datasource.password", "local-trust");
            properties.put("mp.jwt.verify.publickey.location", publicKeyFile().toString());
        }
        RestAssured.authentication = RestAssured.oauth2(TestTokens.admin());
        return properties;
    }

    private static synchronized Path publicKeyFile() {
        try {
            Path file = Files.createDirectories(Path.of("target", "e2e-jwt")).resolve("public.pem").toAbsolutePath();
            Files.writeString(file, TestTokens.publicKeyPem());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
