package io.trainyard.scheduler.service;

import io.smallrye.mutiny.Uni;
import io.trainyard.storage.DatasetMeta;
import io.trainyard.storage.DatasetStore;
import io.trainyard.storage.demo.CityDemand;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Datasets in storage. The MinIO client blocks, so every call runs on a worker thread and its result comes back on
 * the caller's Vert.x context, where the reactive pipeline (and its Hibernate session) continues.
 */
@ApplicationScoped
public class DatasetService {

    private final DatasetStore store;
    private final Vertx vertx;

    public DatasetService(DatasetStore store, Vertx vertx) {
        this.store = store;
        this.vertx = vertx;
    }

    /** The dataset's metadata, empty when there is no such (complete) dataset. */
    public Uni<Optional<DatasetMeta>> meta(String datasetId) {
        return blocking(() -> store.meta(datasetId));
    }

    /** Generates the deterministic city-demand data set and stores it under {@code id}, replacing one of that id. */
    public Uni<DatasetMeta> generateDemo(String id, int cities, int days, long seed) {
        return blocking(() -> {
            CityDemand.Generated generated = CityDemand.generate(id, cities, days, seed);
            store.save(generated.meta(), generated.csv());
            return generated.meta();
        });
    }

    private <T> Uni<T> blocking(Callable<T> call) {
        // Unordered: lookups of concurrent requests need not queue behind each other.
        return vertx.executeBlocking(call, false);
    }
}
