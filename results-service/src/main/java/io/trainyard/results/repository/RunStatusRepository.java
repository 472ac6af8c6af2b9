package io.trainyard.results.repository;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import io.trainyard.results.RunState;
import io.trainyard.results.RunStatusEntity;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/** Where each run is (table {@code run_status}, written by {@link EventBatchRepository}). */
@ApplicationScoped
public class RunStatusRepository implements PanacheRepositoryBase<RunStatusEntity, UUID> {

    /** The experiment's failed runs, oldest failure first. */
    public Uni<List<RunStatusEntity>> failedByExperiment(UUID experimentId) {
        return list("experimentId = ?1 and status = ?2 order by updatedAt, runId", experimentId, RunState.FAILED);
    }
}
