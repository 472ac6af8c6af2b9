package io.trainyard.scheduler.repository;

import io.smallrye.mutiny.Uni;
import io.trainyard.scheduler.ExperimentEntity;
import io.trainyard.scheduler.OutboxEntity;
import io.trainyard.scheduler.RunEntity;
import io.trainyard.scheduler.service.ExperimentPlan;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Writes a submitted experiment, its runs and their commands in one transaction, with three statements whatever the
 * fan-out: the runs and the outbox rows go in as arrays ({@code unnest}).
 *
 * <p>Why SQL here and not Hibernate: persisting 10,000 run entities and 10,000 outbox entities (batched 50 per
 * round trip, plus the persistence context's bookkeeping) took most of a second-long submission; multi-row native
 * inserts through Hibernate still took about a second (parsing thousands of parameters). These columns must follow
 * the Flyway migrations and the entities; the submission tests read every one of them back.
 */
@ApplicationScoped
public class PlanWriter {

    private static final String INSERT_EXPERIMENT = """
            insert into experiment (id, name, dataset, partition_by, model_kind, pool, spec, run_count, created_at,
                                    owner, visibility)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, coalesce($11, 'private'))
            """;

    private static final String INSERT_RUNS = """
            insert into run (experiment_id, created_at, state, epoch, attempts, last_attempt, last_sequence,
                             id, partition_value, search_point, hyperparameters, training, epochs)
            select $1, $2, 'PENDING', 0, 0, 0, 0, id, p, sp, h, t, e
            from unnest($3::uuid[], $4::text[], $5::int[], $6::text[], $7::text[], $8::int[]) as x(id, p, sp, h, t, e)
            """;

    /*
     * Ids straight from outbox_seq: each row takes a whole block of the sequence, so they never meet the blocks
     * Hibernate's pooled generator hands out for the rows it persists itself (control signals).
     */
    private static final String INSERT_COMMANDS = """
            insert into outbox (id, kind, attempts, routing_key, created_at, run_id, payload)
            select nextval('outbox_seq'), 'COMMAND', 0, $1, $2, r, b from unnest($3::uuid[], $4::bytea[]) as x(r, b)
            """;

    private final Pool pool;

    public PlanWriter(Pool pool) {
        this.pool = pool;
    }

    public Uni<Void> write(ExperimentPlan plan) {
        return pool.withTransaction(connection -> insertExperiment(connection, plan.experiment())
                .chain(() -> insertRuns(connection, plan.experiment(), plan.runs()))
                .chain(() -> insertCommands(connection, plan.experiment(), plan.commands())));
    }

    private static Uni<Void> insertExperiment(SqlConnection connection, ExperimentEntity e) {
        // Arrays.asList: partition_by may be null, which List.of refuses.
        return connection.preparedQuery(INSERT_EXPERIMENT).execute(Tuple.from(Arrays.asList(e.id, e.name, e.dataset,
                e.partitionBy, e.modelKind, e.pool, e.spec, e.runCount, utc(e.createdAt), e.owner,
                new ExperimentEntity.VisibilityColumn().convertToDatabaseColumn(e.visibility)))).replaceWithVoid();
    }

    private static Uni<Void> insertRuns(SqlConnection connection, ExperimentEntity e, List<RunEntity> runs) {
        int n = runs.size();
        UUID[] ids = new UUID[n];
        String[] partitions = new String[n];
        Integer[] points = new Integer[n];
        String[] hyperparameters = new String[n];
        String[] trainings = new String[n];
        Integer[] epochs = new Integer[n];
        for (int i = 0; i < n; i++) {
            RunEntity run = runs.get(i);
            ids[i] = run.id;
            partitions[i] = run.partition;
            points[i] = run.searchPoint;
            hyperparameters[i] = run.hyperparameters;
            trainings[i] = run.training;
            epochs[i] = run.epochs;
        }
        return connection.preparedQuery(INSERT_RUNS).execute(Tuple.from(List.of(e.id, utc(e.createdAt), ids,
                partitions, points, hyperparameters, trainings, epochs))).replaceWithVoid();
    }

    private static Uni<Void> insertCommands(SqlConnection connection, ExperimentEntity e, List<OutboxEntity> rows) {
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = rows.size();
        UUID[] runIds = new UUID[n];
        // The core Buffer: the client encodes arrays of it as bytea[], not arrays of the Mutiny wrapper.
        io.vertx.core.buffer.Buffer[] payloads = new io.vertx.core.buffer.Buffer[n];
        for (int i = 0; i < n; i++) {
            runIds[i] = rows.get(i).runId;
            payloads[i] = io.vertx.core.buffer.Buffer.buffer(rows.get(i).payload);
        }
        return connection.preparedQuery(INSERT_COMMANDS).execute(Tuple.from(List.of(rows.getFirst().routingKey,
                utc(rows.getFirst().createdAt), runIds, payloads))).replaceWithVoid();
    }

    private static OffsetDateTime utc(Instant at) {
        return at.atOffset(ZoneOffset.UTC);
    }
}
