package io.trainyard.scheduler.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.trainyard.contracts.DataSpec;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.ModelSpec;
import io.trainyard.contracts.Topology;
import io.trainyard.contracts.TrainRun;
import io.trainyard.contracts.TrainingSpec;
import io.trainyard.scheduler.ExperimentEntity;
import io.trainyard.scheduler.OutboxEntity;
import io.trainyard.scheduler.RunEntity;
import io.trainyard.scheduler.RunState;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Turns a validated spec into an experiment, its runs and their training commands. One run per partition today;
 * hyperparameter grids and random search multiply the runs here.
 */
@ApplicationScoped
public class ExperimentPlanner {

    private final Clock clock;

    public ExperimentPlanner() {
        this(Clock.systemUTC());
    }

    ExperimentPlanner(Clock clock) {
        this.clock = clock;
    }

    public ExperimentPlan plan(ValidatedSpec validated) {
        ExperimentSpec spec = validated.spec();
        Instant now = clock.instant();
        String pool = spec.resources().pool();

        ExperimentEntity experiment = new ExperimentEntity();
        experiment.id = UUID.randomUUID();
        experiment.name = spec.name();
        experiment.dataset = spec.dataset();
        experiment.partitionBy = spec.partitionBy();
        experiment.modelKind = spec.model().kind();
        experiment.pool = pool;
        experiment.spec = json(spec);
        experiment.runCount = validated.partitions().size();
        experiment.createdAt = now;

        ModelSpec model = new ModelSpec(spec.model().kind(), spec.model().hyperparameters());
        ExperimentSpec.Training t = spec.training();
        TrainingSpec training = new TrainingSpec(t.epochs(), t.batchSize(), t.learningRate(), t.seed(),
                t.checkpointEvery());

        List<RunEntity> runs = new ArrayList<>(validated.partitions().size());
        List<OutboxEntity> commands = new ArrayList<>(validated.partitions().size());
        for (String partition : validated.partitions()) {
            RunEntity run = new RunEntity();
            run.id = UUID.randomUUID();
            run.experimentId = experiment.id;
            run.partition = partition;
            run.state = RunState.PENDING;
            run.epochs = t.epochs();
            run.createdAt = now;
            runs.add(run);

            DataSpec data = new DataSpec(spec.dataset(), partition == null ? null : spec.partitionBy(), partition,
                    spec.timeColumn(), spec.targetColumn());
            TrainRun command = new TrainRun(Messages.SCHEMA_VERSION, experiment.id, run.id, pool, data, model,
                    training, 0, now);
            OutboxEntity row = new OutboxEntity();
            row.runId = run.id;
            row.routingKey = Topology.commandRoutingKey(pool);
            row.payload = Messages.encode(command);
            row.createdAt = now;
            commands.add(row);
        }
        return new ExperimentPlan(experiment, runs, commands);
    }

    private static String json(ExperimentSpec spec) {
        try {
            return Messages.mapper().writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the spec as JSON", e);
        }
    }
}
