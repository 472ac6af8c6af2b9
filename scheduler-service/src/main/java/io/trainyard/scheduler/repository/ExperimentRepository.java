package io.trainyard.scheduler.repository;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import io.trainyard.contracts.Visibility;
import io.trainyard.scheduler.ExperimentEntity;
import io.trainyard.scheduler.RunState;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

@ApplicationScoped
public class ExperimentRepository implements PanacheRepositoryBase<ExperimentEntity, UUID> {

    /** An experiment's runs by state, with the earliest start and the latest finish, as the listing needs them. */
    public record RunTally(UUID experimentId, Map<RunState, Long> byState, Instant firstStartedAt,
            Instant lastFinishedAt) {
    }

    /**
     * Every experiment whose name contains {@code name} (ignoring case; all when null), newest first, with its runs
     * tallied by state in one grouped query. The status is derived from the tally, so filtering by it happens on
     * these rows. With a {@code reader}, only what that user may read: their own, the shared and the ownerless
     * experiments (the rule of {@link io.trainyard.contracts.Caller#canRead}); null for all.
     */
    public Uni<List<RunTally>> tallies(String name, String reader) {
        StringBuilder query = new StringBuilder("select e.id, r.state, count(r.id), min(r.startedAt), "
                + "max(r.finishedAt) from ExperimentEntity e left join RunEntity r on r.experimentId = e.id");
        List<String> conditions = new java.util.ArrayList<>();
        if (name != null) {
            // '!' escapes the name's own wildcards: HQL takes no backslash as escape character.
            conditions.add("lower(e.name) like :name escape '!'");
        }
        if (reader != null) {
            conditions.add("(e.owner = :reader or e.owner is null or e.visibility = :shared)");
        }
        if (!conditions.isEmpty()) {
            query.append(" where ").append(String.join(" and ", conditions));
        }
        query.append(" group by e.id, e.createdAt, r.state order by e.createdAt desc, e.id");
        return getSession().chain(session -> {
            var select = session.createSelectionQuery(query.toString(), Object[].class);
            if (name != null) {
                select.setParameter("name", "%" + name.toLowerCase(Locale.ROOT).replace("!", "!!")
                        .replace("%", "!%").replace("_", "!_") + "%");
            }
            if (reader != null) {
                select.setParameter("reader", reader);
                select.setParameter("shared", Visibility.SHARED);
            }
            return select.getResultList();
        }).map(ExperimentRepository::fold);
    }

    /** Rows of (experiment, state) in experiment order into one tally per experiment. */
    private static List<RunTally> fold(List<Object[]> rows) {
        List<RunTally> tallies = new java.util.ArrayList<>();
        UUID current = null;
        Map<RunState, Long> byState = null;
        Instant started = null;
        Instant finished = null;
        for (Object[] row : rows) {
            UUID id = (UUID) row[0];
            if (!id.equals(current)) {
                if (current != null) {
                    tallies.add(new RunTally(current, byState, started, finished));
                }
                current = id;
                byState = new EnumMap<>(RunState.class);
                started = null;
                finished = null;
            }
            if (row[1] != null) {
                byState.put((RunState) row[1], ((Number) row[2]).longValue());
            }
            started = earliest(started, (Instant) row[3]);
            finished = latest(finished, (Instant) row[4]);
        }
        if (current != null) {
            tallies.add(new RunTally(current, byState, started, finished));
        }
        return tallies;
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null ? b : b == null || a.isBefore(b) ? a : b;
    }

    private static Instant latest(Instant a, Instant b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
    }
}
