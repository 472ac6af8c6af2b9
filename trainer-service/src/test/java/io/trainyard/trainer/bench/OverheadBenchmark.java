package io.trainyard.trainer.bench;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.trainyard.contracts.DataSpec;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.ModelSpec;
import io.trainyard.contracts.TrainRun;
import io.trainyard.contracts.TrainingSpec;
import io.trainyard.storage.Checkpoint;
import io.trainyard.storage.CheckpointStore;
import io.trainyard.storage.demo.CityDemand;
import io.trainyard.storage.testing.S3ProxyServer;
import io.trainyard.models.forecaster.MlpForecaster;
import io.trainyard.models.PreparedRun;
import io.trainyard.models.Samples;
import io.trainyard.trainer.training.TrainingLoop;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Benchmark (not a test): the platform's training loop, checkpointing to a real S3 server, against a bare DJL loop
 * ({@code EasyTrain} with DJL's Adam and L2 loss) on the same model and data, alternating in one process.
 *
 * <p>Run with {@code bench/overhead.sh}. Prints samples per second of each and their ratio.
 */
public final class OverheadBenchmark {

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        String csv = CityDemand.generate("bench", 1, 3 * 365, 1).csv();
        String city = csv.split("\n")[1].split(",")[1];
        TrainingSpec spec = new TrainingSpec(epochs, 64, 1e-3, 42, 5);
        TrainRun command = new TrainRun(Messages.SCHEMA_VERSION, UUID.randomUUID(), UUID.randomUUID(), "cpu",
                new DataSpec("bench", "city", city, "date", "demand"),
                new ModelSpec(MlpForecaster.NAME, Map.of("lags", 24, "hidden", List.of(64, 64))), spec, 0,
                Instant.now());
        PreparedRun prepared = new MlpForecaster().prepare(command,
                new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)));
        long samples = (long) prepared.train().size() * epochs;

        try (S3ProxyServer s3 = S3ProxyServer.start()) {
            CheckpointStore checkpoints = new CheckpointStore(s3.newBucket(), 3);
            // warm-up of both, so neither pays for the engine's first use
            platform(prepared, spec, checkpoints, command);
            bare(prepared, spec);
            double platformBest = 0;
            double bareBest = 0;
            for (int round = 1; round <= rounds; round++) {
                double p = samples / platform(prepared, spec, checkpoints, command);
                double b = samples / bare(prepared, spec);
                platformBest = Math.max(platformBest, p);
                bareBest = Math.max(bareBest, b);
                System.out.printf("round %d: platform %.0f samples/s, bare DJL %.0f samples/s, ratio %.3f%n", round, p,
                        b, p / b);
            }
            System.out.printf("best of %d: platform %.0f samples/s (checkpoint to S3 every %d epochs), bare DJL %.0f"
                    + " samples/s, ratio %.3f%n", rounds, platformBest, spec.checkpointEvery(), bareBest,
                    platformBest / bareBest);
        }
    }

    /** Seconds for the platform's loop, writing each checkpoint to S3 on the training thread as the trainer does. */
    static double platform(PreparedRun prepared, TrainingSpec spec, CheckpointStore checkpoints, TrainRun command) {
        long start = System.nanoTime();
        TrainingLoop.train(prepared, spec, null, new TrainingLoop.Listener() {
            @Override
            public void onEpoch(int epochsDone, double trainLoss, double validationLoss, double seconds) {
            }

            @Override
            public void onCheckpoint(TrainingLoop.Snapshot snapshot) {
                checkpoints.save(new Checkpoint(command.experimentId(), command.runId(), snapshot.position(), 1,
                        snapshot.parameters(), snapshot.optimizer(), Map.of()));
            }
        });
        return (System.nanoTime() - start) / 1e9;
    }

    /** Seconds for DJL's own loop on the same block, data and batch size. */
    static double bare(PreparedRun prepared, TrainingSpec spec) throws Exception {
        Samples train = prepared.train();
        long start = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager(); Model model = Model.newInstance("bare")) {
            model.setBlock(prepared.newBlock());
            ArrayDataset data = new ArrayDataset.Builder()
                    .setData(manager.create(train.x(), new Shape(train.size(), train.features())))
                    .optLabels(manager.create(train.y(), new Shape(train.size(), 1)))
                    .setSampling(spec.batchSize(), true)
                    .build();
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) spec.learningRate()))
                            .build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(prepared.inputShape());
                for (int epoch = 0; epoch < spec.epochs(); epoch++) {
                    for (Batch batch : trainer.iterateDataset(data)) {
                        EasyTrain.trainBatch(trainer, batch);
                        trainer.step();
                        batch.close();
                    }
                }
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }
}
