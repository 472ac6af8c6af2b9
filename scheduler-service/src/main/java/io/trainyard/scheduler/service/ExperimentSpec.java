package io.trainyard.scheduler.service;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What a user submits: which data, which model, how to train it and where. Constraints that need no lookup are
 * declared here; the rest (dataset, columns, model kind, pool) are checked by {@link SpecValidator}.
 *
 * @param name         a name for people, 1 to 100 characters
 * @param dataset      id of a dataset in storage
 * @param partitionBy  column to split the dataset by: one run per distinct value; absent for a single run
 * @param timeColumn   column that orders the rows in time (default {@code date})
 * @param targetColumn column to forecast (default {@code demand})
 * @param model        model kind and hyperparameters
 * @param training     training settings; every field has a default
 * @param resources    where to train; default the default pool
 * @param search       hyperparameter search: one run per partition and search point; absent for one point
 * @param objective    the metric that ranks the runs and its direction; default mae, minimize
 * @param maxAttempts  attempts a run may take before it counts as failed; stored with the spec
 * @param visibility   {@code private} (default): only its owner and the admins see it; {@code shared}: every user
 *                     may read it (cancelling stays with the owner and the admins)
 */
@Schema(description = "An experiment: one training run per partition of a dataset and point of its search")
public record ExperimentSpec(
        @Schema(examples = "city-demand") @NotBlank @Size(max = 100) String name,
        @Schema(examples = "city-demand") @NotBlank String dataset,
        @Schema(examples = "city") String partitionBy,
        @Schema(defaultValue = DEFAULT_TIME_COLUMN) String timeColumn,
        @Schema(defaultValue = DEFAULT_TARGET_COLUMN) String targetColumn,
        @NotNull @Valid Model model,
        @Valid Training training,
        @Valid Resources resources,
        @Valid Search search,
        @Valid Objective objective,
        @Schema(examples = "5") @Min(1) @Max(100) Integer maxAttempts,
        @Schema(enumeration = {"private", "shared"}, defaultValue = "private")
        @Pattern(regexp = "private|shared", message = "must be 'private' or 'shared'") String visibility) {

    public static final String DEFAULT_TIME_COLUMN = "date";
    public static final String DEFAULT_TARGET_COLUMN = "demand";

    /**
     * @param kind            a model kind the trainers know
     * @param hyperparameters numbers, strings, booleans or lists of numbers, by name
     */
    public record Model(
            @Schema(examples = "mlp-forecaster") @NotBlank String kind,
            Map<String, Object> hyperparameters) {
    }

    /** Training settings; a missing one takes its default. */
    public record Training(
            @Schema(defaultValue = "30") @Min(1) @Max(100_000) Integer epochs,
            @Schema(defaultValue = "32") @Min(1) @Max(1_000_000) Integer batchSize,
            @Schema(defaultValue = "0.001") @DecimalMin(value = "0", inclusive = false) @DecimalMax("10")
            Double learningRate,
            @Schema(defaultValue = "42") Long seed,
            @Schema(defaultValue = "5") @Min(1) @Max(100_000) Integer checkpointEvery,
            @Schema(description = "also checkpoint at the end of an epoch once this many seconds have passed since the"
                    + " last checkpoint; absent: by epochs only") @Min(1) @Max(86_400) Integer checkpointEverySeconds,
            @Schema(description = "keep the last checkpoints after the final model is written", defaultValue = "false")
            Boolean keepCheckpoints) {

        public static final int DEFAULT_EPOCHS = 30;
        public static final int DEFAULT_BATCH_SIZE = 32;
        public static final double DEFAULT_LEARNING_RATE = 0.001;
        public static final long DEFAULT_SEED = 42;
        public static final int DEFAULT_CHECKPOINT_EVERY = 5;

        /** These settings with every missing one set to its default. */
        public Training withDefaults() {
            return new Training(
                    epochs != null ? epochs : DEFAULT_EPOCHS,
                    batchSize != null ? batchSize : DEFAULT_BATCH_SIZE,
                    learningRate != null ? learningRate : DEFAULT_LEARNING_RATE,
                    seed != null ? seed : DEFAULT_SEED,
                    checkpointEvery != null ? checkpointEvery : DEFAULT_CHECKPOINT_EVERY,
                    checkpointEverySeconds,
                    keepCheckpoints != null ? keepCheckpoints : Boolean.FALSE);
        }
    }

    /** @param pool the trainer pool to run on */
    public record Resources(@Schema(examples = "cpu") String pool) {
    }

    /**
     * A hyperparameter search. Parameter names: {@code training.<setting>} for a training setting (epochs,
     * batchSize, learningRate, seed, checkpointEvery), {@code model.hyperparameters.<name>} for a hyperparameter,
     * or a plain name, which means the training setting of that name if there is one and a hyperparameter otherwise.
     *
     * @param type       {@code grid}: every combination of the parameters' value lists; {@code random}: {@code
     *                   samples} points drawn from ranges ({@code {"min":..,"max":..,"log":true}}) or choices
     *                   ({@code {"choices":[..]}})
     * @param samples    random search: how many points to draw
     * @param seed       random search: seed of the draws (default: the training seed), so a spec always expands
     *                   into the same points
     * @param parameters per parameter, a list of values (grid), or a range or choices (random)
     */
    @Schema(description = "Hyperparameter search: grid (value lists) or random (ranges and choices)")
    public record Search(
            @Schema(enumeration = {"grid", "random"}) @NotBlank
            @Pattern(regexp = "grid|random", message = "must be 'grid' or 'random'") String type,
            @Schema(examples = "20") @Min(1) Integer samples,
            Long seed,
            @Schema(examples = "{\"hidden\": [[32], [64, 64]], \"lags\": [7, 14]}") @NotEmpty
            Map<String, Object> parameters) {
    }

    /**
     * @param metric    a metric the trainers report: mae, rmse, mape (forecaster); mae, rmse, r2 (tabular
     *                  regression); accuracy, macroF1, logLoss (tabular classification)
     * @param direction minimize (default) or maximize
     */
    public record Objective(
            @Schema(enumeration = {"mae", "rmse", "mape", "r2", "accuracy", "macroF1", "logLoss"}) @NotBlank
            @Pattern(regexp = "mae|rmse|mape|r2|accuracy|macroF1|logLoss",
                    message = "must be one of mae, rmse, mape, r2, accuracy, macroF1, logLoss") String metric,
            @Schema(enumeration = {"minimize", "maximize"}, defaultValue = "minimize")
            @Pattern(regexp = "minimize|maximize", message = "must be 'minimize' or 'maximize'") String direction) {

        public static final Objective DEFAULT = new Objective("mae", "minimize");
    }

    /** This spec with every optional field set to its default; call it on a valid spec. */
    public ExperimentSpec withDefaults(String defaultPool) {
        return new ExperimentSpec(name.strip(), dataset, blankToNull(partitionBy),
                timeColumn == null ? DEFAULT_TIME_COLUMN : timeColumn,
                targetColumn == null ? DEFAULT_TARGET_COLUMN : targetColumn,
                new Model(model.kind(), model.hyperparameters() == null ? Map.of() : model.hyperparameters()),
                (training == null ? new Training(null, null, null, null, null, null, null) : training).withDefaults(),
                new Resources(resources == null || resources.pool() == null ? defaultPool : resources.pool()),
                search,
                objective == null ? Objective.DEFAULT
                        : new Objective(objective.metric(), objective.direction() == null ? "minimize"
                                : objective.direction()),
                maxAttempts,
                visibility == null ? "private" : visibility);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
