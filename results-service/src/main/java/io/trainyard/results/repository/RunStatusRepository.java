package io.trainyard.results.repository;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import io.trainyard.contracts.RunRef;
import io.trainyard.results.RunState;
import io.trainyard.results.RunStatusEntity;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Where each run is (table {@code run_status}). */
@ApplicationScoped
public class RunStatusRepository implements PanacheRepositoryBase<RunStatusEntity, UUID> {

    /*
     * Moves only forward: an event not newer by (attempt, sequence) than the stored one is ignored (late, duplicate
     * or from a stale attempt), except that a completion always wins, and SUCCEEDED is final (the model exists).
     */
    private static final String UPSERT = """
            insert into run_status (run_id, experiment_id, status, reason, partition_value, attempt, sequence, epoch,
                                    epochs, updated_at)
            values (:runId, :experimentId, :status, :reason, :partition, :attempt, :sequence, :epoch, :epochs, :at)
            on conflict (run_id) do update set
                status = excluded.status,
                reason = excluded.reason,
                partition_value = coalesce(excluded.partition_value, run_status.partition_value),
                attempt = excluded.attempt,
                sequence = excluded.sequence,
                epoch = coalesce(excluded.epoch, run_status.epoch),
                epochs = coalesce(excluded.epochs, run_status.epochs),
                updated_at = excluded.updated_at
            where run_status.status <> 'SUCCEEDED'
              and (excluded.status = 'SUCCEEDED'
                   or (excluded.attempt, excluded.sequence) > (run_status.attempt, run_status.sequence))
            """;

    /**
     * Applies what an event says about its run.
     *
     * @param partition the run's partition when the event carries it, else null (the stored one is kept)
     * @param epoch     epochs done, when the event says, else null
     * @param epochs    total epochs, when the event says, else null
     * @param reason    why the run failed (FAILED only)
     */
    public Uni<Void> apply(RunRef run, RunState status, String partition, Integer epoch, Integer epochs,
            String reason) {
        Map<String, Object> p = new HashMap<>();
        p.put("runId", run.runId());
        p.put("experimentId", run.experimentId());
        p.put("status", status.name());
        p.put("reason", reason);
        p.put("partition", partition);
        p.put("attempt", run.attempt());
        p.put("sequence", run.sequence());
        p.put("epoch", epoch);
        p.put("epochs", epochs);
        p.put("at", NativeSql.utc(run.at()));
        return NativeSql.update(UPSERT, p).replaceWithVoid();
    }

    /** The experiment's failed runs, oldest failure first. */
    public Uni<List<RunStatusEntity>> failedByExperiment(UUID experimentId) {
        return list("experimentId = ?1 and status = ?2 order by updatedAt, runId", experimentId, RunState.FAILED);
    }
}
