package io.trainyard.scheduler.service;

import io.quarkus.security.ForbiddenException;
import io.smallrye.mutiny.Uni;
import io.trainyard.contracts.Caller;
import io.trainyard.contracts.Visibility;
import io.trainyard.scheduler.config.SchedulerConfig;
import io.trainyard.storage.DatasetMeta;
import io.trainyard.storage.DatasetStore;
import io.trainyard.storage.Keys;
import io.trainyard.storage.ObjectStore;
import io.trainyard.storage.StorageException;
import io.trainyard.storage.demo.CityDemand;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jboss.logging.Logger;

/**
 * Datasets in storage. The MinIO client blocks, so every call runs on a worker thread and its result comes back on
 * the caller's Vert.x context, where the reactive pipeline (and its Hibernate session) continues.
 */
@ApplicationScoped
public class DatasetService {

    private static final Logger LOG = Logger.getLogger(DatasetService.class);
    private static final String PREFIX = "datasets/";
    private static final String META = "/meta.json";

    private final DatasetStore store;
    private final ObjectStore objects;
    private final SchedulerConfig.Datasets config;
    private final Vertx vertx;

    public DatasetService(DatasetStore store, ObjectStore objects, SchedulerConfig config, Vertx vertx) {
        this.store = store;
        this.objects = objects;
        this.config = config.datasets();
        this.vertx = vertx;
    }

    /** A page of datasets, by id. */
    public record Listed(long total, List<DatasetMeta> items) {
    }

    /** The largest upload accepted, in bytes. */
    public long maxUploadBytes() {
        return config.maxBytes().asLongValue();
    }

    /**
     * Stores an uploaded CSV as dataset {@code id}: it is checked and profiled while it streams into a temporary file,
     * and only a valid file goes to storage, {@code data.csv} first, then its {@code meta.json}. Blocks: call it on a
     * worker thread.
     *
     * @param partitionColumn the column whose distinct values are the partitions, null for none
     * @param replace         whether an existing dataset of that id may be replaced
     * @throws DatasetExistsException  when the dataset exists and {@code replace} is false
     * @throws InvalidCsvException     where the CSV is not a dataset
     * @throws UploadTooLargeException past {@code trainyard.scheduler.datasets.max-bytes}
     */
    public DatasetMeta upload(String id, String partitionColumn, boolean replace, InputStream body, Caller caller,
            Visibility visibility) {
        Keys.datasetId(id);
        checkMayWrite(id, replace, caller);
        CsvProfiler.Limits limits = new CsvProfiler.Limits(maxUploadBytes(), config.maxLineLength(),
                config.maxColumns(), config.maxPartitions());
        Path file = null;
        try {
            file = Files.createTempFile("trainyard-upload-", ".csv");
            CsvProfiler.Profile profile;
            try (OutputStream copy = Files.newOutputStream(file)) {
                profile = CsvProfiler.profile(body, copy, partitionColumn, limits);
            }
            DatasetMeta meta = new DatasetMeta(id, profile.rows(), profile.columns(), partitionColumn,
                    partitionColumn == null ? List.of() : profile.partitions(), profile.bytes(), Instant.now(),
                    caller.user(), visibility);
            store(meta, file);
            return meta;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the upload of dataset " + id + " failed: " + e.getMessage(), e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    LOG.warnf("Could not delete the temporary file %s: %s", file, e.getMessage());
                }
            }
        }
    }

    /**
     * Whether {@code caller} may write dataset {@code id}: a new id, or (with {@code replace}) one they may change.
     * Another user's private dataset answers 409 "taken" whether or not replacing was asked for, so that it looks
     * no different from a dataset the caller cannot see; a visible one they may not change answers 403.
     */
    private void checkMayWrite(String id, boolean replace, Caller caller) {
        if (!caller.canCreate()) {
            throw new ForbiddenException("a " + caller.role().wire() + " may not create datasets; ask for the "
                    + "researcher role");
        }
        Optional<DatasetMeta> existing = store.meta(id);
        if (existing.isEmpty()) {
            return;
        }
        DatasetMeta meta = existing.get();
        if (!caller.canRead(meta.owner(), meta.visibility())) {
            throw DatasetExistsException.taken(id);
        }
        if (!replace) {
            throw new DatasetExistsException(id);
        }
        if (!caller.canChange(meta.owner())) {
            throw new ForbiddenException(meta.owner() == null
                    ? "only an admin may replace dataset '" + id + "' (it has no owner)"
                    : "dataset '" + id + "' belongs to " + meta.owner() + "; only its owner or an admin may replace "
                            + "it");
        }
    }

    /**
     * A replaced dataset loses its meta.json first, so that no reader ever sees the old metadata over the new data;
     * if storing fails half-way, what was written is removed again (the dataset is then gone, never half there).
     */
    private void store(DatasetMeta meta, Path file) throws IOException {
        objects.delete(List.of(Keys.datasetMeta(meta.id())));
        try {
            try (InputStream in = Files.newInputStream(file)) {
                objects.put(Keys.datasetCsv(meta.id()), in, meta.bytes(), "text/csv");
            }
            store.saveMeta(meta);
        } catch (IOException | StorageException e) {
            try {
                objects.delete(List.of(Keys.datasetMeta(meta.id()), Keys.datasetCsv(meta.id())));
            } catch (StorageException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * A page of the complete datasets (those with a meta.json) that {@code caller} may read, ordered by id. For an
     * admin only the page's metadata is read; anyone else's listing reads every dataset's metadata to filter it.
     */
    public Uni<Listed> list(int page, int size, Caller caller) {
        return blocking(() -> {
            List<String> all = objects.list(PREFIX).stream()
                    .filter(key -> key.endsWith(META))
                    .map(key -> key.substring(PREFIX.length(), key.length() - META.length()))
                    .filter(id -> id.indexOf('/') < 0)
                    .sorted()
                    .toList();
            if (!caller.isAdmin()) {
                List<DatasetMeta> readable = all.stream().map(store::meta).flatMap(Optional::stream)
                        .filter(meta -> caller.canRead(meta.owner(), meta.visibility()))
                        .toList();
                int from = (int) Math.min((long) page * size, readable.size());
                return new Listed(readable.size(), readable.subList(from, (int) Math.min((long) from + size,
                        readable.size())));
            }
            List<String> ids = all;
            long from = Math.min((long) page * size, ids.size());
            List<DatasetMeta> items = ids.subList((int) from, (int) Math.min(from + size, ids.size())).stream()
                    .map(store::meta)
                    .flatMap(Optional::stream) // deleted since it was listed
                    .toList();
            return new Listed(ids.size(), items);
        });
    }

    /** The dataset's metadata, empty when there is no such (complete) dataset. */
    public Uni<Optional<DatasetMeta>> meta(String datasetId) {
        return blocking(() -> store.meta(datasetId));
    }

    /** The dataset's metadata, empty when there is no such dataset or {@code caller} may not read it. */
    public Uni<Optional<DatasetMeta>> meta(String datasetId, Caller caller) {
        return meta(datasetId).map(meta -> meta.filter(m -> caller.canRead(m.owner(), m.visibility())));
    }

    /**
     * Generates the deterministic city-demand data set and stores it under {@code id} for {@code caller}, replacing
     * one of that id that they may change.
     */
    public Uni<DatasetMeta> generateDemo(String id, int cities, int days, long seed, Caller caller,
            Visibility visibility) {
        return blocking(() -> {
            checkMayWrite(id, true, caller);
            CityDemand.Generated generated = CityDemand.generate(id, cities, days, seed);
            DatasetMeta meta = generated.meta().ownedBy(caller.user(), visibility);
            store.save(meta, generated.csv());
            return meta;
        });
    }

    private <T> Uni<T> blocking(Callable<T> call) {
        // Unordered: lookups of concurrent requests need not queue behind each other.
        return vertx.executeBlocking(call, false);
    }
}
