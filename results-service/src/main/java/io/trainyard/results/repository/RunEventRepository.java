package io.trainyard.results.repository;

import io.smallrye.mutiny.Uni;
import io.trainyard.contracts.RunCheckpointed;
import io.trainyard.contracts.RunCompleted;
import io.trainyard.contracts.RunEvent;
import io.trainyard.contracts.RunFailed;
import io.trainyard.contracts.RunProgressed;
import io.trainyard.contracts.RunStarted;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;

/** The log of every run event (table {@code run_event}) and the per-epoch losses ({@code run_progress}). */
@ApplicationScoped
public class RunEventRepository {

    private static final String INSERT_EVENT = """
            insert into run_event (run_id, experiment_id, attempt, sequence, epoch, kind, trainer, occurred_at, payload)
            values (:runId, :experimentId, :attempt, :sequence, :epoch, :kind, :trainer, :occurredAt,
                    cast(:payload as jsonb))
            on conflict (run_id, attempt, epoch, kind) do nothing
            """;

    private static final String INSERT_PROGRESS = """
            insert into run_progress (run_id, attempt, epoch, experiment_id, epochs, train_loss, validation_loss,
                                      epoch_seconds, occurred_at)
            values (:runId, :attempt, :epoch, :experimentId, :epochs, :trainLoss, :validationLoss, :epochSeconds,
                    :occurredAt)
            on conflict (run_id, attempt, epoch) do nothing
            """;

    /**
     * Stores the event unless the same (run, attempt, epoch, kind) is already stored.
     *
     * @param json the message as received
     * @return true when the event is new
     */
    public Uni<Boolean> insertIfAbsent(RunEvent event, String json) {
        Map<String, Object> p = new HashMap<>();
        p.put("runId", event.run().runId());
        p.put("experimentId", event.run().experimentId());
        p.put("attempt", event.run().attempt());
        p.put("sequence", event.run().sequence());
        p.put("epoch", epochOf(event));
        p.put("kind", event.routingKey());
        p.put("trainer", event.run().trainer());
        p.put("occurredAt", NativeSql.utc(event.run().at()));
        p.put("payload", json);
        return NativeSql.update(INSERT_EVENT, p).map(rows -> rows > 0);
    }

    /** Stores one epoch's losses (once per run, attempt and epoch). */
    public Uni<Void> insertProgress(RunProgressed progress) {
        Map<String, Object> p = new HashMap<>();
        p.put("runId", progress.run().runId());
        p.put("attempt", progress.run().attempt());
        p.put("epoch", progress.epoch());
        p.put("experimentId", progress.run().experimentId());
        p.put("epochs", progress.epochs());
        p.put("trainLoss", progress.trainLoss());
        p.put("validationLoss", progress.validationLoss());
        p.put("epochSeconds", progress.epochSeconds());
        p.put("occurredAt", NativeSql.utc(progress.run().at()));
        return NativeSql.update(INSERT_PROGRESS, p).replaceWithVoid();
    }

    /**
     * The event's position in its run, part of the idempotency key: an attempt emits each kind at most once per
     * epoch, and fails at most once.
     */
    static int epochOf(RunEvent event) {
        return switch (event) {
            case RunStarted e -> e.startEpoch();
            case RunProgressed e -> e.epoch();
            case RunCheckpointed e -> e.epoch();
            case RunCompleted e -> e.epochs();
            case RunFailed e -> 0;
        };
    }
}
