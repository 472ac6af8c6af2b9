package io.trainyard.scheduler.rest;

import com.fasterxml.jackson.annotation.JsonRawValue;
import io.trainyard.scheduler.RunEntity;
import io.trainyard.scheduler.RunState;
import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A run in {@code GET /experiments/{id}/runs}, with the search point it trains: its index and the hyperparameters
 * and training settings it resolved to (stored as JSON and written out as they are).
 */
public record RunView(UUID id, String partition, int searchPoint,
        @Schema(type = SchemaType.OBJECT, description = "resolved hyperparameters, by name") @JsonRawValue
        String hyperparameters,
        @Schema(type = SchemaType.OBJECT, description = "resolved training settings") @JsonRawValue String training,
        RunState state, int epoch, int epochs, int attempts, Integer resumedFromEpoch, String trainer, String reason,
        Instant startedAt, Instant finishedAt) {

    static RunView of(RunEntity run) {
        return new RunView(run.id, run.partition, run.searchPoint, run.hyperparameters, run.training, run.state,
                run.epoch, run.epochs, run.attempts, run.resumedFromEpoch, run.trainer, run.reason, run.startedAt,
                run.finishedAt);
    }
}
