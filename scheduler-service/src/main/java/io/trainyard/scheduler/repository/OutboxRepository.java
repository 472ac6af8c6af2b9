package io.trainyard.scheduler.repository;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import io.trainyard.scheduler.OutboxEntity;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
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
}
