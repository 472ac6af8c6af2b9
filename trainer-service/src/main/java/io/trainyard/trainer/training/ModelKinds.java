package io.trainyard.trainer.training;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.Map;
import java.util.TreeMap;

/** Every {@link ModelKind} bean, by name. */
@ApplicationScoped
public class ModelKinds {

    private final Map<String, ModelKind> kinds = new TreeMap<>();

    public ModelKinds(Instance<ModelKind> all) {
        all.forEach(kind -> kinds.put(kind.name(), kind));
    }

    /** The kind called {@code name}, or an {@link InvalidRunException} listing the known ones. */
    public ModelKind get(String name) {
        ModelKind kind = kinds.get(name);
        if (kind == null) {
            throw new InvalidRunException("unknown model kind '" + name + "' (known: "
                    + String.join(", ", kinds.keySet()) + ")");
        }
        return kind;
    }
}
