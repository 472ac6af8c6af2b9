package io.trainyard.scheduler.repository;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import io.trainyard.scheduler.OutboxEntity;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;
import org.hibernate.LockMode;

@ApplicationScoped
public class OutboxRepository implements PanacheRepositoryBase<OutboxEntity, Long> {

    /**
     * The oldest unsent rows, locked for this transaction; rows another relay (another replica) holds are skipped
     * rather than waited for, so replicas share the work instead of publishing a row twice.
     *
     * <p>Panache's {@code withLock} only takes JPA lock modes, which have no "skip locked"; Hibernate Reactive's
     * selection query takes Hibernate's {@link LockMode#UPGRADE_SKIPLOCKED}, which PostgreSQL renders as
     * {@code for update skip locked} (or {@code for no key update skip locked}).
     */
    public Uni<List<OutboxEntity>> lockUnsent(int limit) {
        return getSession().chain(session -> session
                .createSelectionQuery("from OutboxEntity where sentAt is null order by id", OutboxEntity.class)
                .setLockMode(LockMode.UPGRADE_SKIPLOCKED)
                .setMaxResults(limit)
                .getResultList());
    }

    /**
     * Drops the unsent commands of the experiment's (or the one run's) runs: they were cancelled before the broker
     * had them. A command the relay is publishing right now is locked; this waits for it and then leaves it, since
     * it is sent (the trainer that gets it finds the cancellation marker).
     */
    public Uni<Long> dropUnsentCommands(UUID experimentId, UUID runId) {
        if (runId != null) {
            return delete("sentAt is null and kind = ?1 and runId = ?2", OutboxEntity.Kind.COMMAND, runId);
        }
        return delete("sentAt is null and kind = ?1 and runId in "
                + "(select r.id from RunEntity r where r.experimentId = ?2)", OutboxEntity.Kind.COMMAND, experimentId);
    }

    /** Marks rows sent in one statement (a relay batch is hundreds of rows). */
    public Uni<Integer> markSent(List<Long> ids, java.time.Instant at) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return update("sentAt = ?1 where id in ?2", at, ids);
    }
}
