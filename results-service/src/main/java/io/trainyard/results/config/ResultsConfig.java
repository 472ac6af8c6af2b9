package io.trainyard.results.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the results service ({@code trainyard.results.*}). */
@ConfigMapping(prefix = "trainyard.results")
public interface ResultsConfig {

    /** Pause before an event whose storage failed for a transient reason is put back on the queue. */
    @WithDefault("1s")
    Duration retryDelay();

    /** The per-experiment Prometheus gauges. */
    Metrics metrics();

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
}
