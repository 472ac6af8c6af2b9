package io.trainyard.results.repository;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Native SQL on the current Hibernate Reactive session, for what HQL cannot say: aggregates over non-finite
 * values, percentiles, {@code distinct on}. Callers must run inside {@code @WithSession}/{@code @WithTransaction}.
 */
final class NativeSql {

    private NativeSql() {
    }

    /** Runs a select and returns its rows as arrays of column values. */
    static Uni<List<Object[]>> rows(String sql, Map<String, Object> parameters) {
        return Panache.getSession().flatMap(session -> {
            Mutiny.SelectionQuery<Object[]> query = session.createNativeQuery(sql, Object[].class);
            parameters.forEach(query::setParameter);
            return query.getResultList();
        });
    }

    /** A timestamp as the driver binds it to {@code timestamptz} without a time-zone guess. */
    static OffsetDateTime utc(Instant at) {
        return at.atOffset(ZoneOffset.UTC);
    }

    /** SQL condition that keeps finite values of {@code column} (NaN and infinities would poison avg/min/max). */
    static String finite(String column) {
        return column + " not in (cast('NaN' as float8), cast('Infinity' as float8), cast('-Infinity' as float8))";
    }
}
