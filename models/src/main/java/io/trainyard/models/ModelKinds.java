package io.trainyard.models;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Every {@link ModelKind} bean, by name. */
@ApplicationScoped
public class ModelKinds {

    private final Map<String, ModelKind> kinds = new TreeMap<>();

    @Inject
    public ModelKinds(Instance<ModelKind> all) {
        all.forEach(kind -> kinds.put(kind.name(), kind));
    }

    private ModelKinds(List<ModelKind> all) {
        all.forEach(kind -> kinds.put(kind.name(), kind));
    }

    /** The given kinds, outside CDI (tests, tools). */
    public static ModelKinds of(ModelKind... all) {
        return new ModelKinds(List.of(all));
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

    /** The names of the known kinds, sorted. */
    public Set<String> names() {
        return kinds.keySet();
    }
}
