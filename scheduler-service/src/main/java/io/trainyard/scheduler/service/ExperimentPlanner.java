package io.trainyard.scheduler.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.trainyard.contracts.DataSpec;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.ModelSpec;
import io.trainyard.contracts.Topology;
import io.trainyard.contracts.TrainRun;
import io.trainyard.contracts.TrainingSpec;
import io.trainyard.contracts.Visibility;
import io.trainyard.scheduler.ExperimentEntity;
import io.trainyard.scheduler.OutboxEntity;
import io.trainyard.scheduler.RunEntity;
import io.trainyard.scheduler.RunState;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Turns a validated spec into an experiment, its runs and their training commands: one run per partition of the
 * dataset and point of the search, each recording the hyperparameters and training settings it resolved to.
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

    /**
     * One run (and command) per partition and search point, partition by partition, owned by {@code owner}: the
     * commands carry the owner and visibility, so the run's events do too.
     */
    public ExperimentPlan plan(ValidatedSpec validated, String owner) {
        ExperimentSpec spec = validated.spec();
        Visibility visibility = Visibility.parse("visibility", spec.visibility());
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
        experiment.createdAt = now;
        experiment.owner = owner;
        experiment.visibility = visibility;

        ExperimentSpec.Training base = spec.training();
        List<SearchSpace.Point> points = validated.points();
        int count = validated.partitions().size() * points.size();
        experiment.runCount = count;

        // Every partition trains the same points: resolve (and write as JSON) each point once.
        List<ModelSpec> models = new ArrayList<>(points.size());
        List<TrainingSpec> trainings = new ArrayList<>(points.size());
        List<String> hyperparameterJson = new ArrayList<>(points.size());
        List<String> trainingJson = new ArrayList<>(points.size());
        for (SearchSpace.Point point : points) {
            Map<String, Object> hyperparameters = new LinkedHashMap<>(spec.model().hyperparameters());
            hyperparameters.putAll(point.hyperparameters());
            TrainingSpec training = training(base, point.training());
            models.add(new ModelSpec(spec.model().kind(), hyperparameters));
            trainings.add(training);
            hyperparameterJson.add(json(hyperparameters));
            trainingJson.add(json(training));
        }

        List<RunEntity> runs = new ArrayList<>(count);
        List<OutboxEntity> commands = new ArrayList<>(count);
        String routingKey = Topology.commandRoutingKey(pool);
        for (String partition : validated.partitions()) {
            DataSpec data = new DataSpec(spec.dataset(), partition == null ? null : spec.partitionBy(), partition,
                    spec.timeColumn(), spec.targetColumn());
            for (int p = 0; p < points.size(); p++) {
                TrainingSpec training = trainings.get(p);
                RunEntity run = new RunEntity();
                run.id = UUID.randomUUID();
                run.experimentId = experiment.id;
                run.partition = partition;
                run.searchPoint = p;
                run.hyperparameters = hyperparameterJson.get(p);
                run.training = trainingJson.get(p);
                run.state = RunState.PENDING;
                run.epochs = training.epochs();
                run.createdAt = now;
                runs.add(run);

                TrainRun command = new TrainRun(Messages.SCHEMA_VERSION, experiment.id, run.id, pool, data,
                        models.get(p), training, 0, now, owner, visibility);
                OutboxEntity row = new OutboxEntity();
                row.runId = run.id;
                row.routingKey = routingKey;
                row.payload = Messages.encode(command);
                row.createdAt = now;
                commands.add(row);
            }
        }
        return new ExperimentPlan(experiment, runs, commands);
    }

    /** The spec's training settings with the point's values in place of theirs. */
    private static TrainingSpec training(ExperimentSpec.Training base, Map<String, Object> point) {
        return new TrainingSpec(
                point.containsKey("epochs") ? ((Number) point.get("epochs")).intValue() : base.epochs(),
                point.containsKey("batchSize") ? ((Number) point.get("batchSize")).intValue() : base.batchSize(),
                point.containsKey("learningRate") ? ((Number) point.get("learningRate")).doubleValue()
                        : base.learningRate(),
                point.containsKey("seed") ? ((Number) point.get("seed")).longValue() : base.seed(),
                point.containsKey("checkpointEvery") ? ((Number) point.get("checkpointEvery")).intValue()
                        : base.checkpointEvery(),
                base.checkpointEverySeconds(), base.keepCheckpoints());
    }

    private static String json(Object value) {
        try {
            return Messages.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
