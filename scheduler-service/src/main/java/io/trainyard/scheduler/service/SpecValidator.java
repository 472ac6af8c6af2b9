package io.trainyard.scheduler.service;

import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.trainyard.contracts.Caller;
import io.trainyard.scheduler.config.SchedulerConfig;
import io.trainyard.storage.DatasetMeta;
import io.trainyard.storage.Keys;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a spec completely and reports every problem at once: the declared constraints, then what needs the
 * configuration (model kind, pool) or the dataset's metadata (existence, columns, partitions).
 */
@Startup // checks the pool configuration at startup
@ApplicationScoped
public class SpecValidator {

    private final Validator validator;
    private final SchedulerConfig config;
    private final DatasetService datasets;

    public SpecValidator(Validator validator, SchedulerConfig config, DatasetService datasets) {
        this.validator = validator;
        this.config = config;
        this.datasets = datasets;
        if (!config.pools().contains(config.defaultPool())) {
            // Its commands would go to a queue nobody declared and be dropped: refuse to start instead.
            throw new IllegalStateException("trainyard.scheduler.default-pool '" + config.defaultPool()
                    + "' is not one of trainyard.scheduler.pools " + config.pools());
        }
    }

    /** The spec with defaults and its runs' partitions, or a failure with an {@link InvalidRequestException}. */
    public Uni<ValidatedSpec> validate(ExperimentSpec spec) {
        return validate(spec, null);
    }

    /**
     * As {@link #validate(ExperimentSpec)} for a submission by {@code caller}: a dataset the caller may not read is
     * reported exactly like one that does not exist, so that its columns and partitions stay private. A null caller
     * means no access rule applies (for callers that checked access themselves).
     */
    public Uni<ValidatedSpec> validate(ExperimentSpec spec, Caller caller) {
        if (spec == null) {
            return Uni.createFrom().failure(new InvalidRequestException("body",
                    "an experiment spec (a JSON object) is required"));
        }
        List<Violation> violations = new ArrayList<>();
        validator.validate(spec).stream()
                .sorted(Comparator.comparing((ConstraintViolation<ExperimentSpec> v) -> v.getPropertyPath()
                        .toString()))
                .forEach(v -> violations.add(new Violation(v.getPropertyPath().toString(), v.getMessage())));
        checkModel(spec, violations);
        checkPool(spec, violations);
        checkColumnNames(spec, violations);
        SearchSpace search = checkSearch(spec, violations);

        Optional<String> datasetId = datasetId(spec, violations);
        if (datasetId.isEmpty()) {
            return fail(violations);
        }
        return datasets.meta(datasetId.get())
                .map(found -> found.filter(m -> caller == null || caller.canRead(m.owner(), m.visibility())))
                .chain(meta -> {
            List<String> partitions = meta.map(m -> checkDataset(spec, m, violations))
                    .orElseGet(() -> {
                        violations.add(new Violation("dataset", "no dataset '" + datasetId.get()
                                + "' exists; generate one with POST /datasets/demo or upload it first"));
                        return List.of();
                    });
            if (violations.isEmpty() && search != null) {
                checkRunCount(spec, partitions.size(), search, violations);
            }
            if (!violations.isEmpty()) {
                return fail(violations);
            }
            return Uni.createFrom().item(new ValidatedSpec(spec.withDefaults(config.defaultPool()), meta.get(),
                    partitions, search.points()));
        });
    }

    /** The search's points, or null when the search is invalid (and said why). */
    private static SearchSpace checkSearch(ExperimentSpec spec, List<Violation> violations) {
        ExperimentSpec.Search search = spec.search();
        if (search == null) {
            return SearchSpace.none();
        }
        if (violations.stream().anyMatch(v -> v.field().startsWith("search"))) {
            return null; // the declared constraints failed: type or parameters are missing
        }
        long seed = spec.training() != null && spec.training().seed() != null ? spec.training().seed()
                : ExperimentSpec.Training.DEFAULT_SEED;
        return SearchSpace.check(search, seed, violations);
    }

    /** Runs are partitions times search points; the cap is checked before anything is expanded. */
    private void checkRunCount(ExperimentSpec spec, int partitions, SearchSpace search, List<Violation> violations) {
        long runs = SearchSpace.saturatedProduct(partitions, search.size());
        if (runs > config.maxRunsPerExperiment()) {
            String count = runs == Long.MAX_VALUE ? "more than " + Long.MAX_VALUE : Long.toString(runs);
            violations.add(new Violation(spec.search() != null ? "search" : "partitionBy", "the experiment would "
                    + "make " + count + " runs (" + partitions + " partitions x " + search.size()
                    + " search points); at most " + config.maxRunsPerExperiment() + " runs are allowed per experiment"
                    + " (trainyard.scheduler.max-runs-per-experiment)"));
        }
    }

    private void checkModel(ExperimentSpec spec, List<Violation> violations) {
        if (spec.model() == null) {
            return;
        }
        String kind = spec.model().kind();
        if (kind != null && !kind.isBlank() && !config.modelKinds().contains(kind)) {
            violations.add(new Violation("model.kind", "unknown model kind '" + kind + "'; known kinds: "
                    + String.join(", ", config.modelKinds())));
        }
        Map<String, Object> hyperparameters = spec.model().hyperparameters();
        if (hyperparameters != null) {
            hyperparameters.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
                if (!isHyperparameterValue(e.getValue())) {
                    violations.add(new Violation("model.hyperparameters." + e.getKey(),
                            "must be a number, a string, a boolean, or a list of numbers or of strings"));
                }
            });
        }
    }

    static boolean isHyperparameterValue(Object value) {
        if (value instanceof Number || value instanceof String || value instanceof Boolean) {
            return true;
        }
        // lists of numbers (hidden layer sizes) or of strings (the tabular kind's features)
        return value instanceof List<?> list && !list.isEmpty() && (list.stream().allMatch(Number.class::isInstance)
                || list.stream().allMatch(String.class::isInstance));
    }

    private void checkPool(ExperimentSpec spec, List<Violation> violations) {
        String pool = spec.resources() == null ? null : spec.resources().pool();
        if (pool != null && !config.pools().contains(pool)) {
            violations.add(new Violation("resources.pool", "unknown pool '" + pool + "'; configured pools: "
                    + String.join(", ", config.pools())));
        }
    }

    private static void checkColumnNames(ExperimentSpec spec, List<Violation> violations) {
        for (String[] column : new String[][] {{"timeColumn", spec.timeColumn()},
                {"targetColumn", spec.targetColumn()}}) {
            if (column[1] != null && column[1].isBlank()) {
                violations.add(new Violation(column[0], "must not be blank; leave it out for the default"));
            }
        }
    }

    private static Optional<String> datasetId(ExperimentSpec spec, List<Violation> violations) {
        if (spec.dataset() == null || spec.dataset().isBlank()) {
            return Optional.empty(); // reported by the declared constraint
        }
        try {
            return Optional.of(Keys.datasetId(spec.dataset()));
        } catch (IllegalArgumentException e) {
            violations.add(new Violation("dataset", e.getMessage()));
            return Optional.empty();
        }
    }

    /** Checks the columns against the dataset and returns the runs' partitions. */
    private List<String> checkDataset(ExperimentSpec spec, DatasetMeta meta, List<Violation> violations) {
        String time = spec.timeColumn() == null ? ExperimentSpec.DEFAULT_TIME_COLUMN : spec.timeColumn();
        String target = spec.targetColumn() == null ? ExperimentSpec.DEFAULT_TARGET_COLUMN : spec.targetColumn();
        String columns = String.join(", ", meta.columnNames());
        boolean series = ModelKindChecks.readsSeries(spec.model() == null ? null : spec.model().kind());
        if (series) {
            checkColumn("timeColumn", time, meta, columns, violations);
            checkColumn("targetColumn", target, meta, columns, violations);
            meta.columns().stream().filter(c -> c.name().equals(target) && !"number".equals(c.type())).findFirst()
                    .ifPresent(c -> violations.add(new Violation("targetColumn", "'" + target + "' is a " + c.type()
                            + " column; the target must be a number column: " + String.join(", ", meta.columns()
                                    .stream().filter(n -> "number".equals(n.type())).map(DatasetMeta.Column::name)
                                    .toList()))));
            if (time.equals(target) && meta.hasColumn(time)) {
                violations.add(new Violation("targetColumn", "must differ from timeColumn '" + time + "'"));
            }
        }
        ModelKindChecks.checkColumns(spec, meta, violations);

        String partitionBy = spec.partitionBy() == null || spec.partitionBy().isBlank() ? null : spec.partitionBy();
        if (partitionBy == null) {
            return Collections.singletonList(null);
        }
        if (!meta.hasColumn(partitionBy)) {
            violations.add(new Violation("partitionBy", "'" + partitionBy + "' is not a column of dataset '"
                    + meta.id() + "'; columns: " + columns));
            return List.of();
        }
        if (!partitionBy.equals(meta.partitionColumn())) {
            violations.add(new Violation("partitionBy", meta.partitionColumn() == null
                    ? "dataset '" + meta.id() + "' has no partition column; leave partitionBy out for one run"
                    : "dataset '" + meta.id() + "' can only be partitioned by '" + meta.partitionColumn()
                            + "' (its metadata lists the values of that column only)"));
            return List.of();
        }
        if (series && (partitionBy.equals(time) || partitionBy.equals(target))) {
            violations.add(new Violation("partitionBy", "must differ from timeColumn and targetColumn"));
        }
        List<String> partitions = meta.partitions() == null ? List.of() : meta.partitions();
        if (partitions.isEmpty()) {
            violations.add(new Violation("partitionBy", "dataset '" + meta.id() + "' has no values in '"
                    + partitionBy + "'"));
        }
        return partitions;
    }

    private static void checkColumn(String field, String column, DatasetMeta meta, String columns,
            List<Violation> violations) {
        if (!column.isBlank() && !meta.hasColumn(column)) {
            violations.add(new Violation(field, "'" + column + "' is not a column of dataset '" + meta.id()
                    + "'; columns: " + columns));
        }
    }

    private static <T> Uni<T> fail(List<Violation> violations) {
        return Uni.createFrom().failure(new InvalidRequestException(violations));
    }
}
