package io.trainyard.results.messaging;

import java.sql.SQLException;
import java.util.Set;
import org.hibernate.JDBCException;

/** Tells a failure that storing the same event again would repeat from one that may pass later. */
final class StorageFailures {

    /*
     * PostgreSQL SQLSTATE classes that depend on the data, not on the database's health: 22 data exception
     * (e.g. a string jsonb refuses), 23 integrity constraint violation, 42 syntax error or access rule violation.
     */
    private static final Set<String> PERMANENT_CLASSES = Set.of("22", "23", "42");

    private StorageFailures() {
    }

    static boolean isPermanent(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String state = sqlState(t);
            if (state != null && state.length() >= 2) {
                return PERMANENT_CLASSES.contains(state.substring(0, 2));
            }
        }
        return false;
    }

    private static String sqlState(Throwable t) {
        if (t instanceof io.vertx.pgclient.PgException pg) {
            return pg.getSqlState();
        }
        if (t instanceof JDBCException jdbc) {
            return jdbc.getSQLState();
        }
        if (t instanceof SQLException sql) {
            return sql.getSQLState();
        }
        return null;
    }
}
