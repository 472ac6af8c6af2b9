package io.trainyard.contracts.testing;

import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Points every service under test at the public key of {@link TestTokens}, so that no test profile needs a key file
 * and none turns authentication off. On the test class path only (the contracts test-jar).
 */
public class TestKeyConfigSource implements ConfigSource {

    private static final String PUBLIC_KEY = "mp.jwt.verify.publickey";

    @Override
    public Set<String> getPropertyNames() {
        return Set.of(PUBLIC_KEY);
    }

    @Override
    public Map<String, String> getProperties() {
        return Map.of(PUBLIC_KEY, TestTokens.publicKey());
    }

    @Override
    public String getValue(String name) {
        return PUBLIC_KEY.equals(name) ? TestTokens.publicKey() : null;
    }

    @Override
    public String getName() {
        return "trainyard-test-jwt-key";
    }

    @Override
    public int getOrdinal() {
        return 275; // above application.properties (250), below system properties and the environment
    }
}
