package io.trainyard.trainer.config;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Supplies {@code trainyard.trainer.control-queue}: the name of this process's own queue on the
 * {@code trainyard.control} fanout exchange. Every trainer needs a queue of its own there (exclusive, deleted with
 * its connection), and the connector takes only a fixed name, so the name is made unique per process here: host
 * name, process id and a random suffix (two replicas on one machine, or a restarted pod, never collide).
 */
public class ControlQueueName implements ConfigSource {

    static final String KEY = "trainyard.trainer.control-queue";
    private static final String NAME = "trainyard.control." + host() + "." + ProcessHandle.current().pid() + "."
            + UUID.randomUUID().toString().substring(0, 8);

    private static String host() {
        String host = System.getenv("HOSTNAME");
        return host == null || host.isBlank() ? "trainer" : host.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    @Override
    public Set<String> getPropertyNames() {
        return Set.of(KEY);
    }

    @Override
    public Map<String, String> getProperties() {
        return Map.of(KEY, NAME);
    }

    @Override
    public String getValue(String propertyName) {
        return KEY.equals(propertyName) ? NAME : null;
    }

    @Override
    public String getName() {
        return "trainyard-control-queue";
    }

    @Override
    public int getOrdinal() {
        return 50; // below every file and the environment: a setting there wins
    }
}
