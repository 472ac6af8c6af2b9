package io.trainyard.results.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.trainyard.contracts.Topology;
import java.time.Duration;

/** Settings of the results service ({@code trainyard.results.*}). */
@ConfigMapping(prefix = "trainyard.results")
public interface ResultsConfig {

    /** Pause before an event whose storage failed for a transient reason is put back on the queue. */
    @WithDefault("1s")
    Duration retryDelay();

    /** How run events are taken from the queue and stored. */
    Ingest ingest();

    /** The live event streams ({@code GET /experiments/{id}/events}). */
    Live live();

    /** The per-experiment Prometheus gauges. */
    Metrics metrics();

    /** Stored models loaded to answer predictions. */
    Models models();

    interface Models {

        /**
         * Most models held loaded at once (each holds its parameters in native memory); past it the least recently
         * used one is closed and loaded again from S3 when next asked for.
         */
        @WithDefault("32")
        int cacheSize();
    }

    interface Metrics {

        /**
         * How often the gauges are recomputed from the database. Read by the {@code @Scheduled} job through
         * the property {@code trainyard.results.metrics.refresh-every}.
         */
        @WithDefault("5s")
        Duration refreshEvery();

        /** Only experiments with an event in this window are exported, so the number of series stays bounded. */
        @WithDefault("6h")
        Duration activeWindow();

        /** Upper bound on exported experiments (the most recently active ones win). */
        @WithDefault("200")
        int maxExperiments();
    }

    interface Live {

        /**
         * Events held for one subscriber that reads slower than events arrive; past that its stream ends (the
         * client reconnects) rather than the service buffering without bound.
         */
        @WithDefault("1000")
        int buffer();
    }

    interface Ingest {

        /**
         * Most events stored in one transaction. A batch is what arrived while the one before it was stored, so it
         * is this large only when events arrive faster than they are stored.
         */
        @WithDefault("2000")
        int batchSize();

        /**
         * Unacked messages the broker may hand over at once (the consumer's prefetch): room for the batch being
         * stored and the next one.
         */
        @WithDefault("6000")
        int prefetch();

        /**
         * Batches in the database at once. With 2 the next batch is written while the one before it commits: one
         * batch at a time left the database idle while the service settled and gathered, and the service idle while
         * the database wrote. Acks still go in order, each batch's after its commit (and after every batch before it).
         */
        @WithDefault("2")
        int pipeline();

        /** The queue run events are read from, declared at startup and bound to every run event. */
        Queue queue();

        interface Queue {

            /** Queue name; replicas of the service share it. */
            @WithDefault(Topology.RESULTS_EVENTS_QUEUE)
            String name();

            /** {@code x-queue-type}: quorum (replicated) or classic. */
            @WithDefault("quorum")
            String type();

            /** Whether the queue survives a broker restart. */
            @WithDefault("true")
            boolean durable();

            /** Whether the broker deletes the queue when its last consumer goes. */
            @WithDefault("false")
            boolean autoDelete();
        }
    }
}
