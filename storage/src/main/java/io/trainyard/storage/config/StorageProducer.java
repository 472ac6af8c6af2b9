package io.trainyard.storage.config;

import io.trainyard.storage.Cancellations;
import io.trainyard.storage.CheckpointStore;
import io.trainyard.storage.DatasetStore;
import io.trainyard.storage.ModelStore;
import io.trainyard.storage.ObjectStore;
import io.trainyard.storage.S3Settings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/**
 * CDI beans of the stores for the Quarkus services. The bucket is created on the first write, so a service
 * starts while S3 is down; calls fail with {@link io.trainyard.storage.StorageException} until it is up.
 */
@ApplicationScoped
public class StorageProducer {

    @Produces
    @ApplicationScoped
    ObjectStore objectStore(S3Config config) {
        return ObjectStore.of(new S3Settings(config.endpoint(), config.accessKey(), config.secretKey(),
                config.bucket(), config.region()));
    }

    @Produces
    @ApplicationScoped
    CheckpointStore checkpointStore(ObjectStore store, S3Config config) {
        return new CheckpointStore(store, config.keepCheckpoints());
    }

    @Produces
    @ApplicationScoped
    ModelStore modelStore(ObjectStore store) {
        return new ModelStore(store);
    }

    @Produces
    @ApplicationScoped
    DatasetStore datasetStore(ObjectStore store) {
        return new DatasetStore(store);
    }

    @Produces
    @ApplicationScoped
    Cancellations cancellations(ObjectStore store) {
        return new Cancellations(store);
    }
}
