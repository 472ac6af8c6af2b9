package io.trainyard.scheduler.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Sends the scheduler's commands (only them) to RabbitMQ through a {@link TcpProxy} the test can cut. */
public class CommandsThroughProxyResource implements QuarkusTestResourceLifecycleManager {

    private static volatile TcpProxy proxy;

    /** The proxy of the running test. */
    public static TcpProxy proxy() {
        return proxy;
    }

    @Override
    public Map<String, String> start() {
        proxy = new TcpProxy("127.0.0.1", 5672);
        proxy.start();
        return Map.of(
                "mp.messaging.outgoing.run-commands.port", String.valueOf(proxy.port()),
                // Find the broker again quickly once the proxy is back.
                "mp.messaging.outgoing.run-commands.reconnect-interval", "1",
                "trainyard.scheduler.outbox.confirm-timeout", "3s",
                "trainyard.scheduler.outbox.max-backoff", "2s");
    }

    @Override
    public void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }
}
