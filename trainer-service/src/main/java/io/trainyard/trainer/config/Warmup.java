package io.trainyard.trainer.config;

import io.quarkus.arc.ClientProxy;
import io.quarkus.runtime.StartupEvent;
import io.trainyard.contracts.Messages;
import io.trainyard.storage.CheckpointStore;
import io.trainyard.storage.DatasetStore;
import io.trainyard.storage.ModelStore;
import io.trainyard.storage.ObjectStore;
import io.trainyard.trainer.service.RunProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Does at startup what the first delivery of a fresh replica would otherwise pay for, so that a standby takes over a
 * killed trainer's run quickly: the run processor and the S3 client behind the stores are application-scoped beans,
 * created on first use (building the MinIO client loads the JDK's trust store), and the first S3 request loads the
 * HTTP client's classes and opens a connection. bench/recovery.sh with COLD=1 (a standby that had never trained)
 * measured 2.4 to 4.1 s from the kill to {@code run.started} before this, most of it such first-use work.
 */
@ApplicationScoped
public class Warmup {

    private static final Logger LOG = Logger.getLogger(Warmup.class);
    /** A key that is never written: the request only has to reach the server. */
    static final String PROBE_KEY = "warmup/none";

    void warm(@Observes StartupEvent event, RunProcessor processor, ObjectStore store, CheckpointStore checkpoints,
            ModelStore models, DatasetStore datasets) throws ClassNotFoundException {
        // Injected beans are client proxies; unwrapping creates the instances now.
        for (Object bean : List.of(processor, store, checkpoints, models, datasets)) {
            ClientProxy.unwrap(bean);
        }
        Class.forName(Messages.class.getName(), true, Messages.class.getClassLoader()); // its JSON mapper
        // Off the startup thread: with S3 down, the request waits for the client's timeouts, and a trainer must
        // start (and fail its runs' S3 calls with retries) rather than hang.
        Thread.ofVirtual().name("s3-warmup").start(() -> {
            try {
                store.exists(PROBE_KEY);
            } catch (RuntimeException e) {
                LOG.debugf("S3 warm-up request failed (%s); the first run will pay for the connection", e.toString());
            }
        });
    }
}
