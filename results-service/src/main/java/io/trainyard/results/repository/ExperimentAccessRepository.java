package io.trainyard.results.repository;

import io.smallrye.mutiny.Uni;
import io.trainyard.contracts.Visibility;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.UUID;

/**
 * Who owns an experiment, as its events said ({@code experiment_activity}, written by
 * {@link EventBatchRepository#touch}). On the pool rather than a Hibernate session, so that blocking endpoints can
 * ask too.
 */
@ApplicationScoped
public class ExperimentAccessRepository {

    private static final String OWNER = "select owner, visibility from experiment_activity where experiment_id = $1";

    /** @param visibility null when the events said none (then treated as private by the access rules) */
    public record Owner(String owner, Visibility visibility) {
    }

    private final Pool pool;

    public ExperimentAccessRepository(Pool pool) {
        this.pool = pool;
    }

    /** The owner, or empty when no event of the experiment named one (unknown here, or from before owners). */
    public Uni<Optional<Owner>> owner(UUID experimentId) {
        return pool.preparedQuery(OWNER).execute(Tuple.of(experimentId)).map(rows -> {
            RowIterator<Row> it = rows.iterator();
            if (!it.hasNext()) {
                return Optional.empty();
            }
            Row row = it.next();
            String owner = row.getString("owner");
            String visibility = row.getString("visibility");
            return owner == null ? Optional.empty()
                    : Optional.of(new Owner(owner, visibility == null ? null : Visibility.fromWire(visibility)));
        });
    }
}
