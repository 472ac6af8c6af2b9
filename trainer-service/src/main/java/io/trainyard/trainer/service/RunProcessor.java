package io.trainyard.trainer.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.trainyard.contracts.RunCancelled;
import io.trainyard.contracts.RunCheckpointed;
import io.trainyard.contracts.RunCompleted;
import io.trainyard.contracts.RunEvent;
import io.trainyard.contracts.RunFailed;
import io.trainyard.contracts.RunProgressed;
import io.trainyard.contracts.RunRef;
import io.trainyard.contracts.RunReleased;
import io.trainyard.contracts.RunStarted;
import io.trainyard.contracts.TrainRun;
import io.trainyard.storage.Checkpoint;
import io.trainyard.storage.CheckpointStore;
import io.trainyard.storage.DatasetStore;
import io.trainyard.storage.Keys;
import io.trainyard.storage.ModelStore;
import io.trainyard.trainer.config.TrainerConfig;
import io.trainyard.trainer.control.CancelledRuns;
import io.trainyard.trainer.messaging.CommandPublisher;
import io.trainyard.trainer.messaging.RunEventPublisher;
import io.trainyard.models.InvalidRunException;
import io.trainyard.models.ModelKind;
import io.trainyard.models.ModelKinds;
import io.trainyard.models.PreparedRun;
import io.trainyard.trainer.training.TrainingLoop;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * Carries out one delivery of a training command: the checkpoint/resume protocol of DESIGN.md.
 *
 * <ol>
 * <li>Already done? The final model exists: announce {@code run.completed} again, nothing is trained twice.</li>
 * <li>Resume from the newest checkpoint that verifies, or start from the seed.</li>
 * <li>Train, publishing progress each epoch and checkpointing every {@code checkpointEvery} epochs.</li>
 * <li>Write the final model, delete the checkpoints, publish {@code run.completed} and wait for the confirm.</li>
 * <li>Asked to stop (drain, or the segment's time budget is used up): stop at a batch boundary, checkpoint, hand
 * the run back to the queue as a continuation command, wait for the confirm and announce {@code run.released}.</li>
 * <li>Cancelled (a signal on {@code trainyard.control} while training, or a marker in storage before): stop at a
 * batch boundary, delete the checkpoints and announce {@code run.cancelled}; no continuation.</li>
 * </ol>
 * A run that can never succeed ends with {@code run.failed}; anything else propagates so the delivery is
 * returned to the queue (bounded by the queue's delivery limit).
 */
@ApplicationScoped
public class RunProcessor {

    private static final Logger LOG = Logger.getLogger(RunProcessor.class);
    /** Checkpoint state key: summed loss of the batches done in a part-done epoch. */
    private static final String EPOCH_LOSS_SUM = "epochLossSum";

    private final ModelKinds kinds;
    private final DatasetStore datasets;
    private final CheckpointStore checkpoints;
    private final ModelStore models;
    private final RunEventPublisher events;
    private final CommandPublisher commands;
    private final TrainerConfig config;
    private final CancelledRuns cancelled;
    private final AtomicInteger busy = new AtomicInteger();
    private final Timer epochTimer;
    private final Timer checkpointTimer;
    private final Counter checkpointBytes;
    private final Counter resumes;
    private final Counter cancellations;
    private final Counter staleAttempts;
    private final Counter checkpointFailures;
    private final MeterRegistry registry;
    /** Runs the S3 reads a delivery starts with side by side; they only wait on the network. */
    private final ExecutorService io = Executors.newVirtualThreadPerTaskExecutor();

    public RunProcessor(ModelKinds kinds, DatasetStore datasets, CheckpointStore checkpoints, ModelStore models,
            RunEventPublisher events, CommandPublisher commands, TrainerConfig config, CancelledRuns cancelled,
            MeterRegistry registry) {
        this.cancelled = cancelled;
        this.kinds = kinds;
        this.datasets = datasets;
        this.checkpoints = checkpoints;
        this.models = models;
        this.events = events;
        this.commands = commands;
        this.config = config;
        registry.gauge("trainyard.trainer.busy.runs", busy);
        this.epochTimer = Timer.builder("trainyard.trainer.epoch").description("Wall time of one epoch")
                .publishPercentileHistogram().register(registry);
        this.checkpointTimer = Timer.builder("trainyard.trainer.checkpoint")
                .description("Time to write a checkpoint and move the pointer").publishPercentileHistogram()
                .register(registry);
        this.checkpointBytes = Counter.builder("trainyard.trainer.checkpoint.bytes").baseUnit("bytes")
                .description("Bytes of checkpoints written").register(registry);
        this.registry = registry;
        this.resumes = Counter.builder("trainyard.trainer.resumes")
                .description("Deliveries that resumed a run from a checkpoint").register(registry);
        this.staleAttempts = Counter.builder("trainyard.trainer.stale.attempts")
                .description("Attempts that finished after a later attempt took their run over, and were dropped")
                .register(registry);
        this.cancellations = Counter.builder("trainyard.trainer.cancellations")
                .description("Runs stopped, or not started, because they were cancelled").register(registry);
        // Alert TrainyardCheckpointsFailing: a run whose checkpoints cannot be written loses its work on a crash.
        this.checkpointFailures = Counter.builder("trainyard.trainer.checkpoint.failures")
                .description("Checkpoints that could not be written (the delivery fails and is redelivered)")
                .register(registry);
        // Registered up front, so that dashboards and rules see 0 before the first hand-back rather than no series.
        for (String reason : List.of("drain", "segment")) {
            Counter.builder("trainyard.trainer.handbacks").tag("reason", reason)
                    .description("Runs checkpointed and handed back to the queue (drain: SIGTERM, segment: budget)")
                    .register(registry);
        }
    }

    /**
     * Runs the protocol for {@code command} as attempt {@code attempt}; {@code stop} is asked at every batch
     * boundary whether the trainer is draining. Returns when the delivery can be acked.
     */
    public void process(TrainRun command, int attempt, BooleanSupplier stop) {
        Events run = new Events(command, attempt);
        busy.incrementAndGet();
        try {
            UUID experimentId = command.experimentId();
            UUID runId = command.runId();
            // The questions asked of S3 before training go out at once rather than one after the other: most runs
            // are short, and this wait is between two runs on the slot (bench/orchestration.sh). The checkpoint is
            // fetched meanwhile too; in the rare case that the run turns out done or cancelled it is not used.
            CompletableFuture<Optional<Map<String, Object>>> model = CompletableFuture.supplyAsync(
                    () -> models.exists(experimentId, runId) ? models.metadata(experimentId, runId)
                            : Optional.<Map<String, Object>>empty(), io);
            CompletableFuture<Boolean> cancellation = CompletableFuture.supplyAsync(
                    () -> cancelled.isCancelled(experimentId, runId), io);
            CompletableFuture<Optional<CheckpointStore.Loaded>> latest = CompletableFuture.supplyAsync(
                    () -> checkpoints.loadLatest(experimentId, runId), io);
            Optional<Map<String, Object>> done = join(model);
            if (done.isPresent()) {
                LOG.infof("run %s already has its model: announcing completion again", runId);
                run.completed(done.get());
                return;
            }
            if (join(cancellation)) {
                LOG.infof("run %s is cancelled: not training it", runId);
                run.cancelled(0);
                return;
            }
            try {
                train(command, attempt, run, stop, latest);
            } catch (InvalidRunException e) {
                LOG.infof("run %s cannot succeed: %s", runId, e.getMessage());
                run.publishAndAwait(new RunFailed(run.next(), e.getMessage()));
            }
        } finally {
            busy.decrementAndGet();
        }
    }

    /** The value, or what the task threw, as thrown (a storage failure returns the delivery to the queue). */
    private static <T> T join(CompletableFuture<T> task) {
        try {
            return task.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    @PreDestroy
    void close() {
        io.close();
    }

    private void train(TrainRun command, int attempt, Events run, BooleanSupplier draining,
            CompletableFuture<Optional<CheckpointStore.Loaded>> latest) {
        ModelKind kind = kinds.get(command.model().kind());
        PreparedRun prepared;
        try (InputStream csv = kind.readsDataset() ? datasets.openCsv(command.data().datasetId()).orElseThrow(
                () -> new InvalidRunException("dataset '" + command.data().datasetId() + "' does not exist"))
                : InputStream.nullInputStream()) {
            prepared = kind.prepare(command, csv);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Optional<CheckpointStore.Loaded> loaded = join(latest);
        TrainingLoop.Snapshot resume = loaded.map(l -> new TrainingLoop.Snapshot(l.checkpoint().position(),
                l.checkpoint().parameters(), l.checkpoint().optimizer(),
                l.checkpoint().state().get(EPOCH_LOSS_SUM) instanceof Number n ? n.doubleValue() : 0))
                .orElse(null);
        String note = loaded.filter(l -> !l.skipped().isEmpty())
                .map(l -> "skipped damaged checkpoints: " + String.join("; ", l.skipped())).orElse(null);
        Integer resumedFrom = resume == null ? null : resume.position().epoch();
        if (resume != null) {
            resumes.increment();
        }
        LOG.infof("run %s (%s) attempt %d starts at epoch %d of %d", command.runId(), command.data().partition(),
                attempt, resumedFrom == null ? 0 : resumedFrom, command.training().epochs());
        run.publish(new RunStarted(run.next(), command.data().partition(), resumedFrom == null ? 0 : resumedFrom,
                resumedFrom, command.training().epochs(), note, command.model(), command.data()));

        long deadline = System.nanoTime() + config.segmentBudget().toNanos();
        BooleanSupplier cancel = () -> cancelled.signalled(command.experimentId(), command.runId());
        BooleanSupplier stop = () -> draining.getAsBoolean() || cancel.getAsBoolean()
                || System.nanoTime() - deadline > 0;
        TrainingLoop.Result result = TrainingLoop.train(prepared, command.training(), resume,
                new TrainingLoop.Listener() {
                    @Override
                    public void onEpoch(int epochsDone, double trainLoss, double validationLoss, double seconds) {
                        epochTimer.record((long) (seconds * 1e9), TimeUnit.NANOSECONDS);
                        run.publish(new RunProgressed(run.next(), epochsDone, command.training().epochs(),
                                trainLoss, validationLoss, seconds));
                    }

                    @Override
                    public void onCheckpoint(TrainingLoop.Snapshot snapshot) {
                        CheckpointStore.Saved saved;
                        try {
                            saved = checkpointTimer.record(() -> checkpoints.save(new Checkpoint(
                                    command.experimentId(), command.runId(), snapshot.position(), attempt,
                                    snapshot.parameters(), snapshot.optimizer(),
                                    Map.of(EPOCH_LOSS_SUM, snapshot.epochLossSum()))));
                        } catch (RuntimeException e) {
                            checkpointFailures.increment();
                            throw e;
                        }
                        if (saved.pointerMoved()) {
                            checkpointBytes.increment(saved.bytes());
                            // Confirmed before the loop returns (this runs on its checkpoint thread, which the loop
                            // waits for): a drain may end the process right after it.
                            run.publishAndAwait(new RunCheckpointed(run.next(), snapshot.position().epoch(),
                                    saved.location(), saved.bytes()));
                        } else {
                            LOG.warnf("run %s attempt %d: a newer attempt owns the checkpoint pointer",
                                    command.runId(), attempt);
                        }
                    }
                }, stop);
        if (!result.finished() && cancel.getAsBoolean()) {
            LOG.infof("run %s attempt %d cancelled at %s", command.runId(), attempt, result.stoppedAt());
            run.cancelled(result.stoppedAt().epoch());
            return;
        }
        if (!result.finished()) {
            String reason = draining.getAsBoolean() ? RunReleased.DRAIN : RunReleased.SEGMENT;
            // Announced before the continuation is queued, so that every observer hears of the release before the
            // next attempt starts. Not awaited: should the hand-back fail, the delivery returns to the queue and the
            // run resumes from the same checkpoint all the same.
            run.publish(new RunReleased(run.next(), result.stoppedAt().epoch(), reason));
            // The checkpoint at the stop is written: the next delivery continues exactly here.
            commands.handBack(command, attempt, config.confirmTimeout());
            registry.counter("trainyard.trainer.handbacks", "reason", reason).increment();
            LOG.infof("run %s attempt %d handed back at %s (%s)", command.runId(), attempt, result.stoppedAt(),
                    reason);
            return;
        }

        // One look at the run's checkpoints serves the fencing check here and the clean-up after the model is written.
        CheckpointStore.Leftovers leftovers = checkpoints.leftovers(command.experimentId(), command.runId(),
                attempt > 1 || resume != null);
        if (leftovers.ownedByLaterAttempt(attempt)) {
            // Fenced: this attempt was given up on (frozen past the broker's heartbeat, say) and a later one owns
            // the run now. It writes no model and announces nothing; the later attempt finishes the run.
            staleAttempts.increment();
            LOG.warnf("run %s attempt %d finished training but a later attempt owns the run: dropping its model",
                    command.runId(), attempt);
            return;
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("experimentId", command.experimentId().toString());
        metadata.put("runId", command.runId().toString());
        metadata.put("partition", command.data().partition());
        metadata.put("kind", command.model().kind());
        metadata.put("hyperparameters", command.model().hyperparameters());
        metadata.put("data", command.data());
        metadata.put("training", command.training());
        metadata.put("model", prepared.describe());
        metadata.put("file", ModelStore.MODEL_NAME + "-0000.params");
        metadata.put("epochs", command.training().epochs());
        metadata.put("metrics", result.metrics());
        metadata.put("attempt", attempt);
        metadata.put("trainer", config.trainerId());
        metadata.put("createdAt", Instant.now().toString());
        if (command.owner() != null) {
            // The model carries its experiment's access rule: the results service applies it even before (or
            // without) hearing of the experiment from its events.
            metadata.put("owner", command.owner());
            metadata.put("visibility", command.visibility() == null ? null : command.visibility().wire());
        }
        models.save(command.experimentId(), command.runId(), result.model(), metadata);
        if (!command.training().keepsCheckpoints()) {
            checkpoints.delete(leftovers);
        }
        run.completed(metadata);
    }

    /** The events of one attempt, numbered in the order they are published. */
    private final class Events {
        private final TrainRun command;
        private final int attempt;
        /** Atomic: run.checkpointed is numbered on the loop's checkpoint thread, the rest on the training thread. */
        private final AtomicLong sequence = new AtomicLong();

        Events(TrainRun command, int attempt) {
            this.command = command;
            this.attempt = attempt;
        }

        RunRef next() {
            // The owner and visibility travel with every event: the results service applies them to its reads.
            return new RunRef(command.experimentId(), command.runId(), attempt, sequence.getAndIncrement(),
                    config.trainerId(), Instant.now(), command.owner(), command.visibility());
        }

        void publish(RunEvent event) {
            events.publish(event);
        }

        void publishAndAwait(RunEvent event) {
            events.publishAndAwait(event, config.confirmTimeout());
        }

        /** The run will never train again: its checkpoints go, and the cancellation is announced (confirmed). */
        void cancelled(int epoch) {
            checkpoints.deleteAll(command.experimentId(), command.runId());
            cancellations.increment();
            publishAndAwait(new RunCancelled(next(), epoch,
                    cancelled.reason(command.experimentId(), command.runId())));
        }

        void completed(Map<String, Object> model) {
            Map<String, Double> metrics = new LinkedHashMap<>();
            if (model.get("metrics") instanceof Map<?, ?> m) {
                m.forEach((k, v) -> {
                    if (v instanceof Number n) {
                        metrics.put(k.toString(), n.doubleValue());
                    }
                });
            }
            int epochs = model.get("epochs") instanceof Number n ? n.intValue() : command.training().epochs();
            publishAndAwait(new RunCompleted(next(), command.data().partition(), epochs, metrics,
                    Keys.model(command.experimentId(), command.runId())));
        }
    }
}
