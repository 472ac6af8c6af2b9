package io.trainyard.scheduler.service;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
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
 */
@Schema(description = "An experiment: one training run per partition of a dataset")
public record ExperimentSpec(
        @Schema(examples = "city-demand") @NotBlank @Size(max = 100) String name,
        @Schema(examples = "city-demand") @NotBlank String dataset,
        @Schema(examples = "city") String partitionBy,
        @Schema(defaultValue = DEFAULT_TIME_COLUMN) String timeColumn,
        @Schema(defaultValue = DEFAULT_TARGET_COLUMN) String targetColumn,
        @NotNull @Valid Model model,
        @Valid Training training,
        @Valid Resources resources) {

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
            @Schema(defaultValue = "5") @Min(1) @Max(100_000) Integer checkpointEvery) {

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
                    checkpointEvery != null ? checkpointEvery : DEFAULT_CHECKPOINT_EVERY);
        }
    }

    /** @param pool the trainer pool to run on */
    public record Resources(@Schema(examples = "cpu") String pool) {
    }

    /** This spec with every optional field set to its default; call it on a valid spec. */
    public ExperimentSpec withDefaults(String defaultPool) {
        return new ExperimentSpec(name.strip(), dataset, blankToNull(partitionBy),
                timeColumn == null ? DEFAULT_TIME_COLUMN : timeColumn,
                targetColumn == null ? DEFAULT_TARGET_COLUMN : targetColumn,
                new Model(model.kind(), model.hyperparameters() == null ? Map.of() : model.hyperparameters()),
                (training == null ? new Training(null, null, null, null, null) : training).withDefaults(),
                new Resources(resources == null || resources.pool() == null ? defaultPool : resources.pool()));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
