package io.trainyard.scheduler.rest;

import com.fasterxml.jackson.annotation.JsonRawValue;
import io.trainyard.scheduler.RunAttemptEntity;
import io.trainyard.scheduler.RunEntity;
import io.trainyard.scheduler.RunState;
import io.trainyard.scheduler.service.ExperimentService;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A run in {@code GET /experiments/{id}/runs}, with the search point it trains: its index and the hyperparameters
 * and training settings it resolved to (stored as JSON and written out as they are), and its attempts.
 *
 * @param elapsedSeconds from its first start to its end, or to now while it runs; null before it started
 * @param history        every attempt, oldest first: trainer, where it started, how far it got and how it ended
 */
public record RunView(UUID id, String partition, int searchPoint,
        @Schema(type = SchemaType.OBJECT, description = "resolved hyperparameters, by name") @JsonRawValue
        String hyperparameters,
        @Schema(type = SchemaType.OBJECT, description = "resolved training settings") @JsonRawValue String training,
        RunState state, int epoch, int epochs, int attempts, Integer resumedFromEpoch, String trainer, String reason,
        Instant createdAt, Instant queuedAt, Instant startedAt, Instant finishedAt, Double elapsedSeconds,
        List<Attempt> history) {

    /** One attempt: a delivery of the run's command to a trainer. */
    public record Attempt(int attempt, String trainer, Instant startedAt, Integer startEpoch,
            Integer resumedFromEpoch, int lastEpoch, Instant endedAt, RunAttemptEntity.Outcome outcome,
            String detail) {
        static Attempt of(RunAttemptEntity a) {
            return new Attempt(a.id.attempt(), a.trainer, a.startedAt, a.startEpoch, a.resumedFromEpoch,
                    a.lastEpoch, a.endedAt, a.outcome, a.detail);
        }
    }

    static RunView of(ExperimentService.RunWithAttempts r) {
        RunEntity run = r.run();
        return new RunView(run.id, run.partition, run.searchPoint, run.hyperparameters, run.training, run.state,
                run.epoch, run.epochs, run.attempts, run.resumedFromEpoch, run.trainer, run.reason, run.createdAt,
                run.queuedAt, run.startedAt, run.finishedAt, ExperimentView.elapsed(run.startedAt, run.finishedAt),
                r.attempts().stream().map(Attempt::of).toList());
    }
}
