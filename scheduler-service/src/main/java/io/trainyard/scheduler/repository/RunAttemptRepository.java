package io.trainyard.scheduler.repository;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import io.trainyard.scheduler.RunAttemptEntity;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class RunAttemptRepository implements PanacheRepositoryBase<RunAttemptEntity, RunAttemptEntity.Key> {

    /** Every attempt of one run, oldest first. */
    public Uni<List<RunAttemptEntity>> ofRun(UUID runId) {
        return list("id.runId = ?1 order by id.attempt", runId);
    }

    /** Every attempt of these runs, by run then attempt: one query for a page of runs. */
    public Uni<List<RunAttemptEntity>> ofRuns(Collection<UUID> runIds) {
        if (runIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return list("id.runId in ?1 order by id.runId, id.attempt", runIds);
    }
}
