package io.trainyard.trainer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Settings of one trainer replica ({@code trainyard.trainer.*}). */
@ConfigMapping(prefix = "trainyard.trainer")
public interface TrainerConfig {

    /** Name of this replica in events and logs; defaults to the host name (the pod name on Kubernetes). */
    Optional<String> id();

    /** The pool whose queue ({@code trainer.<pool>}) this replica consumes. */
    @WithDefault("cpu")
    String pool();

    /** Runs this replica trains at once; the queue prefetch is set to the same number. */
    @WithDefault("1")
    int concurrency();

    /** First wait before a delivery that failed for a transient reason (S3 down, ...) is returned to the queue. */
    @WithDefault("1s")
    Duration retryBackoff();

    /** Longest wait before returning a failed delivery; the wait doubles with each redelivery up to this. */
    @WithDefault("30s")
    Duration retryBackoffMax();

    /** How long to wait for the broker to confirm a run's final event before giving the delivery back. */
    @WithDefault("30s")
    Duration confirmTimeout();

    /**
     * Longest a delivery is held: then the run checkpoints, is handed back to the queue and continues in a new
     * delivery, so no delivery comes near RabbitMQ's {@code consumer_timeout} (30 minutes by default).
     */
    @WithDefault("20m")
    Duration segmentBudget();

    /**
     * On SIGTERM, how long to wait for the runs in training to stop at a batch boundary, checkpoint and be handed
     * back before the process exits anyway (their deliveries then return to the queue).
     */
    @WithDefault("60s")
    Duration drainTimeout();

    /**
     * This process's own queue on the {@code trainyard.control} fanout exchange (cancel signals); unique per process
     * by default ({@link ControlQueueName}), so set it only to name it.
     */
    String controlQueue();

    /** The id to use: {@link #id()}, else the host name, else {@code trainer-<pid>}. */
    default String trainerId() {
        return id().filter(s -> !s.isBlank())
                .or(() -> Optional.ofNullable(System.getenv("HOSTNAME")).filter(s -> !s.isBlank()))
                .orElse("trainer-" + ProcessHandle.current().pid());
    }
}
