package io.trainyard.scheduler.repository;

import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import io.trainyard.scheduler.ExperimentEntity;
import io.trainyard.scheduler.RunState;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/** The recent experiments and their runs by state, for the Prometheus gauges (metrics/ExperimentRunGauges). */
@ApplicationScoped
public class RecentExperimentRepository {

    /** How many runs of one experiment are in one state. */
    public record StateCount(UUID experimentId, RunState state, long count) {
    }

    private final ExperimentRepository experiments;

    public RecentExperimentRepository(ExperimentRepository experiments) {
        this.experiments = experiments;
    }

    /** Experiments submitted after {@code since}, newest first, at most {@code limit} (index experiment_created_at). */
    public Uni<List<ExperimentEntity>> submittedSince(Instant since, int limit) {
        return experiments.find("createdAt > ?1", Sort.descending("createdAt"), since).page(Page.ofSize(limit)).list();
    }

    /** Runs of these experiments grouped by state (index run_experiment_partition, by its experiment_id prefix). */
    public Uni<List<StateCount>> runsByState(Collection<UUID> experimentIds) {
        if (experimentIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return experiments.getSession().chain(session -> session.createSelectionQuery(
                "select r.experimentId, r.state, count(r) from RunEntity r where r.experimentId in :ids "
                        + "group by r.experimentId, r.state", Object[].class)
                .setParameter("ids", experimentIds)
                .getResultList())
                .map(rows -> rows.stream()
                        .map(row -> new StateCount((UUID) row[0], (RunState) row[1], ((Number) row[2]).longValue()))
                        .toList());
    }
}
