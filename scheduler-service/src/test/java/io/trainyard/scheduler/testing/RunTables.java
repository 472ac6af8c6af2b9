package io.trainyard.scheduler.testing;

import io.agroal.api.AgroalDataSource;
import io.trainyard.contracts.RunEvent;
import io.trainyard.scheduler.RunAttemptEntity;
import io.trainyard.scheduler.RunEntity;
import io.trainyard.scheduler.RunState;
import io.trainyard.scheduler.service.RunAttempts;
import io.trainyard.scheduler.service.RunEvents;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The {@code run} and {@code run_attempt} tables read and written over JDBC, and a model of them: the same events
 * applied one at a time by the pure state machine ({@link RunEvents}, {@link RunAttempts}) to what the tables held,
 * as one transaction per event applied them before events were batched.
 */
public final class RunTables {

    private final AgroalDataSource database;

    public RunTables(AgroalDataSource database) {
        this.database = database;
    }

    /**
     * Inserts an experiment with {@code runs} QUEUED runs of 10 epochs. Created long ago, so that it is not among the
     * recent experiments the gauges show.
     */
    public void insertQueuedRuns(UUID experimentId, List<UUID> runs) {
        Instant created = Instant.parse("2020-01-01T00:00:00Z");
        sql(connection -> {
            try (PreparedStatement e = connection.prepareStatement("insert into experiment (id, name, dataset, "
                    + "partition_by, model_kind, pool, spec, run_count, created_at, owner, visibility) "
                    + "values (?, 'batch-test', 'd', 'city', 'mlp-forecaster', ?, '{}', ?, ?, 'alice', 'shared')")) {
                e.setObject(1, experimentId);
                e.setString(2, Broker.TEST_POOL);
                e.setInt(3, runs.size());
                e.setObject(4, created.atOffset(ZoneOffset.UTC));
                e.executeUpdate();
            }
            try (PreparedStatement r = connection.prepareStatement("insert into run (id, experiment_id, "
                    + "partition_value, search_point, hyperparameters, training, state, epoch, epochs, attempts, "
                    + "last_attempt, last_sequence, created_at, queued_at) "
                    + "values (?, ?, ?, ?, '{\"lr\":0.1}', '{\"epochs\":10}', 'QUEUED', 0, 10, 0, 0, 0, ?, ?)")) {
                for (int i = 0; i < runs.size(); i++) {
                    r.setObject(1, runs.get(i));
                    r.setObject(2, experimentId);
                    r.setString(3, "city-" + i);
                    r.setInt(4, i);
                    r.setObject(5, created.atOffset(ZoneOffset.UTC));
                    r.setObject(6, created.plusSeconds(1).atOffset(ZoneOffset.UTC));
                    r.addBatch();
                }
                r.executeBatch();
            }
            return null;
        });
    }

    /** Cancels a run as a user would, straight in the table. */
    public void cancel(UUID run, String reason, Instant at) {
        sql(connection -> {
            try (PreparedStatement s = connection.prepareStatement(
                    "update run set state = 'CANCELLED', reason = ?, finished_at = ? where id = ?")) {
                s.setString(1, reason);
                s.setObject(2, at.atOffset(ZoneOffset.UTC));
                s.setObject(3, run);
                s.executeUpdate();
            }
            return null;
        });
    }

    /** Every column of each of these runs that exists, by id. */
    public Map<UUID, Map<String, Object>> runRows(Collection<UUID> runs) {
        return sql(connection -> {
            Map<UUID, Map<String, Object>> rows = new TreeMap<>();
            for (Map<String, Object> row : query(connection, "select * from run where id = any(?)", runs)) {
                rows.put((UUID) row.get("id"), row);
            }
            return rows;
        });
    }

    /** Every column of every attempt of these runs, by {@code run/attempt}. */
    public Map<String, Map<String, Object>> attemptRows(Collection<UUID> runs) {
        return sql(connection -> {
            Map<String, Map<String, Object>> rows = new TreeMap<>();
            for (Map<String, Object> row : query(connection, "select * from run_attempt where run_id = any(?)", runs)) {
                rows.put(row.get("run_id") + "/" + row.get("attempt"), row);
            }
            return rows;
        });
    }

    /** The transaction id that last wrote each of these runs. */
    public Map<UUID, String> writers(Collection<UUID> runs) {
        return sql(connection -> {
            Map<UUID, String> writers = new TreeMap<>();
            for (Map<String, Object> row : query(connection, "select id, xmin::text as writer from run "
                    + "where id = any(?)", runs)) {
                writers.put((UUID) row.get("id"), (String) row.get("writer"));
            }
            return writers;
        });
    }

    /** A model of these runs as the tables hold them now. */
    public Model model(Collection<UUID> runs) {
        Model model = new Model();
        runRows(runs).values().forEach(row -> model.runs.put((UUID) row.get("id"), toRun(row)));
        for (Map<String, Object> row : attemptRows(runs).values()) {
            model.attempts.computeIfAbsent((UUID) row.get("run_id"), id -> new ArrayList<>()).add(toAttempt(row));
        }
        return model;
    }

    /** The runs and attempts of some runs, to which events are applied one at a time. */
    public static final class Model {

        private final Map<UUID, RunEntity> runs = new TreeMap<>();
        private final Map<UUID, List<RunAttemptEntity>> attempts = new TreeMap<>();

        /** Applies one event as one transaction per event did; empty for an unknown run. */
        public Optional<RunEvents.Outcome> apply(RunEvent event) {
            RunEntity run = runs.get(event.run().runId());
            if (run == null) {
                return Optional.empty();
            }
            RunEvents.Outcome outcome = RunEvents.apply(run, event);
            if (outcome != RunEvents.Outcome.STALE && outcome != RunEvents.Outcome.MISMATCHED) {
                List<RunAttemptEntity> known = attempts.computeIfAbsent(run.id, id -> new ArrayList<>());
                RunAttemptEntity created = RunAttempts.apply(known, event);
                if (created != null) {
                    known.add(created);
                    known.sort(Comparator.comparingInt(a -> a.id.attempt()));
                }
            }
            return Optional.of(outcome);
        }

        /** Applies the events one at a time, in this order. */
        public List<Optional<RunEvents.Outcome>> applyAll(List<? extends RunEvent> events) {
            return events.stream().map(this::apply).toList();
        }

        /** Every column of every run, as {@link #runRows} reads them. */
        public Map<UUID, Map<String, Object>> runRows() {
            Map<UUID, Map<String, Object>> rows = new TreeMap<>();
            runs.forEach((id, run) -> rows.put(id, columns(run)));
            return rows;
        }

        /** Every column of every attempt, as {@link #attemptRows} reads them. */
        public Map<String, Map<String, Object>> attemptRows() {
            Map<String, Map<String, Object>> rows = new TreeMap<>();
            attempts.values().forEach(list -> list.forEach(a -> rows.put(a.id.runId() + "/" + a.id.attempt(),
                    columns(a))));
            return rows;
        }
    }

    private static Map<String, Object> columns(RunEntity r) {
        Map<String, Object> c = new TreeMap<>();
        c.put("id", r.id);
        c.put("experiment_id", r.experimentId);
        c.put("partition_value", r.partition);
        c.put("search_point", r.searchPoint);
        c.put("hyperparameters", r.hyperparameters);
        c.put("training", r.training);
        c.put("state", r.state.name());
        c.put("epoch", r.epoch);
        c.put("epochs", r.epochs);
        c.put("attempts", r.attempts);
        c.put("last_attempt", r.lastAttempt);
        c.put("last_sequence", r.lastSequence);
        c.put("resumed_from_epoch", r.resumedFromEpoch);
        c.put("trainer", r.trainer);
        c.put("reason", r.reason);
        c.put("created_at", r.createdAt);
        c.put("queued_at", r.queuedAt);
        c.put("started_at", r.startedAt);
        c.put("finished_at", r.finishedAt);
        return c;
    }

    private static Map<String, Object> columns(RunAttemptEntity a) {
        Map<String, Object> c = new TreeMap<>();
        c.put("run_id", a.id.runId());
        c.put("attempt", a.id.attempt());
        c.put("trainer", a.trainer);
        c.put("started_at", a.startedAt);
        c.put("start_epoch", a.startEpoch);
        c.put("resumed_from_epoch", a.resumedFromEpoch);
        c.put("last_epoch", a.lastEpoch);
        c.put("ended_at", a.endedAt);
        c.put("outcome", a.outcome.name());
        c.put("detail", a.detail);
        return c;
    }

    private static RunEntity toRun(Map<String, Object> row) {
        RunEntity r = new RunEntity();
        r.id = (UUID) row.get("id");
        r.experimentId = (UUID) row.get("experiment_id");
        r.partition = (String) row.get("partition_value");
        r.searchPoint = (Integer) row.get("search_point");
        r.hyperparameters = (String) row.get("hyperparameters");
        r.training = (String) row.get("training");
        r.state = RunState.valueOf((String) row.get("state"));
        r.epoch = (Integer) row.get("epoch");
        r.epochs = (Integer) row.get("epochs");
        r.attempts = (Integer) row.get("attempts");
        r.lastAttempt = (Integer) row.get("last_attempt");
        r.lastSequence = (Long) row.get("last_sequence");
        r.resumedFromEpoch = (Integer) row.get("resumed_from_epoch");
        r.trainer = (String) row.get("trainer");
        r.reason = (String) row.get("reason");
        r.createdAt = (Instant) row.get("created_at");
        r.queuedAt = (Instant) row.get("queued_at");
        r.startedAt = (Instant) row.get("started_at");
        r.finishedAt = (Instant) row.get("finished_at");
        return r;
    }

    private static RunAttemptEntity toAttempt(Map<String, Object> row) {
        RunAttemptEntity a = new RunAttemptEntity();
        a.id = new RunAttemptEntity.Key((UUID) row.get("run_id"), (Integer) row.get("attempt"));
        a.trainer = (String) row.get("trainer");
        a.startedAt = (Instant) row.get("started_at");
        a.startEpoch = (Integer) row.get("start_epoch");
        a.resumedFromEpoch = (Integer) row.get("resumed_from_epoch");
        a.lastEpoch = (Integer) row.get("last_epoch");
        a.endedAt = (Instant) row.get("ended_at");
        a.outcome = RunAttemptEntity.Outcome.valueOf((String) row.get("outcome"));
        a.detail = (String) row.get("detail");
        return a;
    }

    /** Rows of a query with one array of ids as its parameter; timestamps as instants, every column by name. */
    private static List<Map<String, Object>> query(Connection connection, String sql, Collection<UUID> ids)
            throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            s.setArray(1, connection.createArrayOf("uuid", ids.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                ResultSetMetaData meta = rs.getMetaData();
                List<Map<String, Object>> rows = new ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> row = new TreeMap<>();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        Object value = meta.getColumnType(i) == java.sql.Types.TIMESTAMP_WITH_TIMEZONE
                                || "timestamptz".equals(meta.getColumnTypeName(i))
                                ? Optional.ofNullable(rs.getObject(i, OffsetDateTime.class))
                                        .map(OffsetDateTime::toInstant).orElse(null)
                                : rs.getObject(i);
                        row.put(meta.getColumnName(i), value);
                    }
                    rows.add(row);
                }
                return rows;
            }
        }
    }

    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private <T> T sql(Work<T> work) {
        try (Connection connection = database.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
