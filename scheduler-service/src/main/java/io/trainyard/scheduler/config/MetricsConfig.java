package io.trainyard.scheduler.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The per-experiment run gauges on /q/metrics ({@code trainyard.scheduler.metrics.*}). */
@ConfigMapping(prefix = "trainyard.scheduler.metrics")
public interface MetricsConfig {

    /** How often the gauges are recomputed from the database. */
    @WithDefault("5s")
    Duration refreshEvery();

    /** Experiments submitted within this window have gauges; older ones drop out (the REST API still has them). */
    @WithDefault("24h")
    Duration activeWindow();

    /** Most experiments with gauges at once (the newest), so the number of series stays bounded. */
    @WithDefault("200")
    int maxExperiments();
}
