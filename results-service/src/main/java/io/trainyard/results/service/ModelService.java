package io.trainyard.results.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.trainyard.contracts.Caller;
import io.trainyard.contracts.Visibility;
import io.trainyard.models.InvalidRunException;
import io.trainyard.models.LoadedModel;
import io.trainyard.models.ModelKind;
import io.trainyard.models.ModelKinds;
import io.trainyard.results.config.ResultsConfig;
import io.trainyard.storage.ModelStore;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The runs' final models: their {@code model.json}, and predictions from the stored model, loaded by its kind on
 * DJL. Loaded models are kept in a bounded cache: a stored model never changes once written (a run is trained once),
 * so a cached one never goes stale. Calls are blocking (S3, DJL): run them on a worker thread.
 */
@ApplicationScoped
public class ModelService {

    private record Key(UUID experimentId, UUID runId) {
    }

    private final ModelStore store;
    private final ModelKinds kinds;
    /** A loaded model and its experiment's access rule from {@code model.json} (owner null: readable by all). */
    private record Loaded(LoadedModel model, String owner, Visibility visibility) {
    }

    private final Cache<Key, Loaded> loaded;

    public ModelService(ModelStore store, ModelKinds kinds, ResultsConfig config) {
        this.store = store;
        this.kinds = kinds;
        // Set before DJL's engine loads (at the first prediction). One intra-op thread per request: prediction
        // batches are small, and concurrent requests on 2 cores would otherwise oversubscribe them (NOTES.md).
        // The native library ships in the jar, so DJL must never try to download one. JVM flags still win.
        defaultProperty("ai.djl.pytorch.num_threads", "1");
        defaultProperty("ai.djl.pytorch.num_interop_threads", "1");
        defaultProperty("ai.djl.offline", "true");
        this.loaded = Caffeine.newBuilder()
                .maximumSize(config.models().cacheSize())
                .<Key, Loaded>removalListener((key, entry, cause) -> {
                    if (entry != null) {
                        entry.model().close(); // waits for predictions still running on it
                    }
                })
                .build();
    }

    /** The run's {@code model.json}; empty when the run has no final model (yet). */
    public Optional<Map<String, Object>> metadata(UUID experimentId, UUID runId) {
        return store.metadata(experimentId, runId);
    }

    /**
     * Predictions of the run's stored model for {@code input}; empty when the run has no final model (yet), or
     * when its {@code model.json} names an owner whose model {@code caller} may not read.
     *
     * @throws io.trainyard.models.InvalidInputException when the input does not fit the model
     */
    public Optional<Map<String, Object>> predict(UUID experimentId, UUID runId, Map<String, Object> input,
            Caller caller) {
        Key key = new Key(experimentId, runId);
        for (int attempt = 1; ; attempt++) {
            Loaded entry = loaded.get(key, this::load);
            if (entry == null || !readable(entry.owner(), entry.visibility(), caller)) {
                return Optional.empty();
            }
            try {
                return Optional.of(entry.model().predict(input));
            } catch (LoadedModel.ClosedModelException e) {
                // evicted between the lookup and the prediction: load it again (eviction needs 32 other models
                // loaded meanwhile, so more than a couple of rounds would mean a cache far too small)
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    /**
     * Whether {@code caller} may read a model whose {@code model.json} names {@code owner}: its trainer wrote the
     * experiment's rule there, so it holds even for an experiment whose events this service has not stored yet.
     */
    public static boolean readable(Map<String, Object> metadata, Caller caller) {
        return readable(metadata.get("owner") instanceof String o ? o : null,
                Visibility.fromWire(metadata.get("visibility") instanceof String v ? v : null), caller);
    }

    private static boolean readable(String owner, Visibility visibility, Caller caller) {
        return owner == null || caller.canRead(owner, visibility);
    }

    /** Loads the stored model; null (nothing cached) when the run has none. */
    private Loaded load(Key key) {
        Optional<Map<String, Object>> metadata = store.metadata(key.experimentId(), key.runId());
        if (metadata.isEmpty()) {
            return null;
        }
        byte[] parameters = store.parameters(key.experimentId(), key.runId()).orElseThrow(
                () -> new IllegalStateException("run " + key.runId() + " has model.json but no parameters"));
        String kindName = String.valueOf(metadata.get().get("kind"));
        ModelKind kind;
        try {
            kind = kinds.get(kindName);
        } catch (InvalidRunException e) {
            throw new IllegalStateException("model.json of run " + key.runId() + ": " + e.getMessage(), e);
        }
        Map<String, Object> m = metadata.get();
        return new Loaded(kind.load(m, parameters), m.get("owner") instanceof String o ? o : null,
                Visibility.fromWire(m.get("visibility") instanceof String v ? v : null));
    }

    /** What {@code model.json} says about the prediction a caller asked for, next to the answer. */
    public static Map<String, Object> answer(UUID experimentId, UUID runId, Map<String, Object> predictions) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("experimentId", experimentId);
        answer.put("runId", runId);
        answer.putAll(predictions);
        return answer;
    }

    @PreDestroy
    void closeAll() {
        loaded.invalidateAll();
        loaded.cleanUp();
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
