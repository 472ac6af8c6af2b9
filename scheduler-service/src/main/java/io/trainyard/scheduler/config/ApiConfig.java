package io.trainyard.scheduler.config;

import io.quarkus.runtime.annotations.StaticInitSafe;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Limits of the REST API's request bodies ({@code trainyard.api.*}). Static-init safe: the JAX-RS providers that read
 * it are built while the application is initialised statically.
 */
@StaticInitSafe
@ConfigMapping(prefix = "trainyard.api")
public interface ApiConfig {

    /**
     * Largest JSON or YAML body (specs, demo and cancel requests). Dataset uploads have their own limit
     * ({@code trainyard.scheduler.datasets.max-bytes}), which is why {@code quarkus.http.limits.max-body-size} is
     * large.
     */
    @WithDefault("1M")
    MemorySize maxBodySize();
}
