package io.trainyard.scheduler.repository;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import io.trainyard.scheduler.RunEntity;
import io.trainyard.scheduler.RunState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class RunRepository implements PanacheRepositoryBase<RunEntity, UUID> {

    /** Per state of one experiment's runs: how many, the earliest start and the latest finish. */
    public record StateSummary(RunState state, long count, Instant firstStartedAt, Instant lastFinishedAt) {
    }

    /** The run, locked until the transaction ends, so that two consumers never apply events to it at once. */
    public Uni<RunEntity> findForUpdate(UUID runId) {
        return find("id", runId).withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
    }

    /** One page of an experiment's runs in partition order, then search order. */
    public Uni<List<RunEntity>> page(UUID experimentId, Page page) {
        return find("experimentId", Sort.by("partition").and("searchPoint").and("id"), experimentId).page(page)
                .list();
    }

    public Uni<List<StateSummary>> summarize(UUID experimentId) {
        return getSession().chain(session -> session.createSelectionQuery(
                "select r.state, count(r), min(r.startedAt), max(r.finishedAt) from RunEntity r "
                        + "where r.experimentId = :experimentId group by r.state", Object[].class)
                .setParameter("experimentId", experimentId)
                .getResultList())
                .map(rows -> rows.stream()
                        .map(row -> new StateSummary((RunState) row[0], (Long) row[1], (Instant) row[2],
                                (Instant) row[3]))
                        .toList());
    }

    /** PENDING runs whose command the broker confirmed become QUEUED; runs already further along stay as they are. */
    public Uni<Integer> markQueued(Collection<UUID> runIds, Instant at) {
        if (runIds.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return update("state = :queued, queuedAt = :at where id in :ids and state = :pending",
                Parameters.with("queued", RunState.QUEUED).and("at", at).and("ids", runIds)
                        .and("pending", RunState.PENDING));
    }

    /** The unfinished runs of the experiment (or the one run) become CANCELLED; returns how many did. */
    public Uni<Integer> cancelUnfinished(UUID experimentId, UUID runId, String reason, Instant at) {
        Parameters parameters = Parameters.with("cancelled", RunState.CANCELLED).and("reason", reason)
                .and("at", at).and("experimentId", experimentId)
                .and("unfinished", List.of(RunState.PENDING, RunState.QUEUED, RunState.RUNNING));
        String where = "experimentId = :experimentId and state in :unfinished";
        if (runId != null) {
            where += " and id = :runId";
            parameters = parameters.and("runId", runId);
        }
        return update("state = :cancelled, reason = :reason, finishedAt = :at where " + where, parameters);
    }
}
