package io.trainyard.scheduler.service;

import io.trainyard.storage.DatasetMeta;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What the scheduler checks per model kind against the dataset's metadata, so a spec that names a missing column
 * is refused at once with every problem. The trainer checks the rest (value ranges, the data itself) and fails a
 * run at once, with a reason, when they do not fit.
 */
final class ModelKindChecks {

    static final String TABULAR = "tabular";
    static final String SYNTHETIC = "synthetic";
    private static final String TARGET = "target";
    private static final String FEATURES = "features";

    private ModelKindChecks() {
    }

    /**
     * Whether the kind forecasts a series per partition from {@code timeColumn} and {@code targetColumn} (the
     * forecaster): the tabular kind names its target in its hyperparameters, and the synthetic one reads no data.
     */
    static boolean readsSeries(String kind) {
        return !TABULAR.equals(kind) && !SYNTHETIC.equals(kind);
    }

    /** The tabular kind's {@code target} and {@code features} hyperparameters must name columns of the dataset. */
    static void checkColumns(ExperimentSpec spec, DatasetMeta meta, List<Violation> violations) {
        if (spec.model() == null || !TABULAR.equals(spec.model().kind())) {
            return;
        }
        Map<String, Object> hyperparameters = spec.model().hyperparameters() == null ? Map.of()
                : spec.model().hyperparameters();
        String columns = String.join(", ", meta.columnNames());
        String field = "model.hyperparameters." + TARGET;
        Object target = hyperparameters.get(TARGET);
        if (target == null && !searched(spec, TARGET)) {
            violations.add(new Violation(field, "required for model kind '" + TABULAR + "': the column to predict; "
                    + "columns of dataset '" + meta.id() + "': " + columns));
        } else if (target != null && !(target instanceof String name && meta.hasColumn(name.strip()))) {
            violations.add(new Violation(field, "'" + target + "' is not a column of dataset '" + meta.id()
                    + "'; columns: " + columns));
        } else if (target instanceof String name && "regression".equals(hyperparameters.get("task"))) {
            meta.columns().stream().filter(c -> c.name().equals(name.strip()) && !"number".equals(c.type()))
                    .findFirst().ifPresent(c -> violations.add(new Violation(field, "'" + name + "' is a "
                            + c.type() + " column; a regression needs a number column (or use task=classification)")));
        }
        Object features = hyperparameters.get(FEATURES);
        List<?> names = features instanceof String text ? Arrays.asList(text.split(","))
                : features instanceof List<?> list ? list : List.of();
        for (Object name : names) {
            if (!(name instanceof String column) || !meta.hasColumn(column.strip())) {
                violations.add(new Violation("model.hyperparameters." + FEATURES, "'" + name + "' is not a column of "
                        + "dataset '" + meta.id() + "'; columns: " + columns));
            }
        }
    }

    /** Whether the search varies the hyperparameter {@code name} (then each point gives it a value). */
    private static boolean searched(ExperimentSpec spec, String name) {
        return spec.search() != null && spec.search().parameters() != null
                && (spec.search().parameters().containsKey(name)
                        || spec.search().parameters().containsKey("model.hyperparameters." + name));
    }
}
