package io.trainyard.scheduler.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.quarkus.runtime.configuration.MemorySize;
import io.trainyard.contracts.Topology;
import java.time.Duration;
import java.util.List;

/** Settings of the scheduler ({@code trainyard.scheduler.*}). */
@ConfigMapping(prefix = "trainyard.scheduler")
public interface SchedulerConfig {

    /** Model kinds the trainers can train; a spec naming another kind is rejected. */
    @WithDefault("mlp-forecaster,tabular,synthetic")
    List<String> modelKinds();

    /** Trainer pools: each gets the queue {@code trainer.<pool>} declared and may be named in a spec. */
    @WithDefault(Topology.DEFAULT_POOL)
    List<String> pools();

    /** Pool of a spec that names none. */
    @WithDefault(Topology.DEFAULT_POOL)
    String defaultPool();

    /**
     * Deliveries of one command before the broker dead-letters it; part of the trainer queues' arguments, so it must
     * be the value the trainers declare their queue with.
     */
    @WithDefault("" + Topology.DEFAULT_DELIVERY_LIMIT)
    int deliveryLimit();

    /** Most runs one experiment may fan out into. */
    @WithDefault("10000")
    int maxRunsPerExperiment();

    /** The transactional outbox of training commands. */
    Outbox outbox();

    /** Declaration of the broker topology. */
    Broker broker();

    /** Consumption of run events. */
    Events events();

    /** Uploads of datasets ({@code POST /datasets}). */
    Datasets datasets();

    interface Outbox {

        /** How often unsent commands are looked for (a submission also triggers the relay at once). */
        @WithDefault("200ms")
        Duration pollInterval();

        /** Commands published and confirmed per transaction. */
        @WithDefault("500")
        int batchSize();

        /** How long the relay waits for the broker to confirm a command before it leaves the row for later. */
        @WithDefault("10s")
        Duration confirmTimeout();

        /**
         * How long a command handed to the channel but not yet confirmed is left to the channel, which keeps it and
         * sends it once the broker is back, before it is published again (at the risk of a duplicate).
         */
        @WithDefault("5m")
        Duration inFlightExpiry();

        /** Pause after a failed batch, doubled on each further failure up to {@link #maxBackoff()}. */
        @WithDefault("500ms")
        Duration minBackoff();

        /** Longest pause between attempts while the broker keeps failing. */
        @WithDefault("30s")
        Duration maxBackoff();
    }

    interface Broker {

        /** First pause before declaring the topology again after a failure; doubled up to {@link #retryMax()}. */
        @WithDefault("1s")
        Duration retryMin();

        /** Longest pause between two declaration attempts. */
        @WithDefault("30s")
        Duration retryMax();

        /** Connection timeout of the declaring connection. */
        @WithDefault("5s")
        Duration connectTimeout();
    }

    interface Datasets {

        /** Largest CSV upload; a larger one is refused with 413. Keep quarkus.http.limits.max-body-size above it. */
        @WithDefault("256M")
        MemorySize maxBytes();

        /** Longest line of an uploaded CSV, in characters. */
        @WithDefault("65536")
        int maxLineLength();

        /** Most columns of an uploaded CSV. */
        @WithDefault("1000")
        int maxColumns();

        /** Most distinct values of a partition column (each one can become a run). */
        @WithDefault("10000")
        int maxPartitions();
    }

    interface Events {

        /** Pause before an event whose processing failed (database down) is given back to the queue. */
        @WithDefault("1s")
        Duration retryDelay();

        /**
         * Most events applied in one transaction. A batch is whatever arrived while the one before it was applied,
         * so a lone event goes at once; keep {@code mp.messaging.incoming.run-events.max-outstanding-messages} above.
         */
        @WithDefault("500")
        int batchSize();
    }
}
