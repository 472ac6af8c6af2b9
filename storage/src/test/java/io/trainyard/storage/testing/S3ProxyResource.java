package io.trainyard.storage.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Starts an {@link S3ProxyServer} for a {@code @QuarkusTest} and points {@code trainyard.s3.*} at it. */
public class S3ProxyResource implements QuarkusTestResourceLifecycleManager {

    private S3ProxyServer server;

    @Override
    public Map<String, String> start() {
        server = S3ProxyServer.start();
        return Map.of(
                "trainyard.s3.endpoint", server.endpoint(),
                "trainyard.s3.access-key", S3ProxyServer.ACCESS_KEY,
                "trainyard.s3.secret-key", S3ProxyServer.SECRET_KEY);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
