package io.trainyard.trainer.config;

import ai.djl.engine.Engine;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Settles DJL's engine settings before the first run and loads the engine at startup, so the first delivery
 * does not pay for extracting the native library.
 */
@Startup
@ApplicationScoped
public class DjlSettings {

    private static final Logger LOG = Logger.getLogger(DjlSettings.class);

    @PostConstruct
    void load() {
        // One intra-op thread per run measured fastest on 2 cores (NOTES.md); the number of runs at once is
        // trainyard.trainer.concurrency. An operator can still set these as JVM system properties.
        defaultProperty("ai.djl.pytorch.num_threads", "1");
        defaultProperty("ai.djl.pytorch.num_interop_threads", "1");
        // The native library ships in the jar: never try to download one.
        defaultProperty("ai.djl.offline", "true");
        Engine engine = Engine.getEngine("PyTorch");
        LOG.infof("DJL engine %s %s on %s", engine.getEngineName(), engine.getVersion(), engine.defaultDevice());
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
