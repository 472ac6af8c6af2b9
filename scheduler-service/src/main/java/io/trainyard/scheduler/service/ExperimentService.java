package io.trainyard.scheduler.service;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Page;
import io.smallrye.mutiny.Uni;
import io.trainyard.contracts.CancelRuns;
import io.trainyard.contracts.Caller;
import io.quarkus.security.ForbiddenException;
import io.trainyard.contracts.Messages;
import io.trainyard.scheduler.ExperimentEntity;
import io.trainyard.scheduler.OutboxEntity;
import io.trainyard.scheduler.RunAttemptEntity;
import io.trainyard.scheduler.RunEntity;
import io.trainyard.scheduler.RunState;
import io.trainyard.scheduler.messaging.OutboxRelay;
import io.trainyard.scheduler.repository.ExperimentRepository;
import io.trainyard.scheduler.repository.OutboxRepository;
import io.trainyard.scheduler.repository.PlanWriter;
import io.trainyard.scheduler.repository.RunAttemptRepository;
import io.trainyard.scheduler.repository.RunRepository;
import io.trainyard.storage.Cancellations;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/** Submits experiments and reports on them. */
@ApplicationScoped
public class ExperimentService {

    private final SpecValidator validator;
    private final ExperimentPlanner planner;
    private final ExperimentRepository experiments;
    private final RunRepository runs;
    private final OutboxRepository outbox;
    private final OutboxRelay relay;
    private final RunAttemptRepository attempts;
    private final Cancellations cancellations;
    private final Vertx vertx;
    private final PlanWriter planWriter;

    public ExperimentService(SpecValidator validator, ExperimentPlanner planner, ExperimentRepository experiments,
            RunRepository runs, OutboxRepository outbox, OutboxRelay relay, RunAttemptRepository attempts,
            Cancellations cancellations, Vertx vertx, PlanWriter planWriter) {
        this.planWriter = planWriter;
        this.validator = validator;
        this.planner = planner;
        this.experiments = experiments;
        this.runs = runs;
        this.outbox = outbox;
        this.relay = relay;
        this.attempts = attempts;
        this.cancellations = cancellations;
        this.vertx = vertx;
    }

    /** A submitted experiment: its id and how many runs it fanned out into. */
    public record Submitted(UUID id, int runs) {
    }

    /**
     * Checks the spec (the dataset lookup runs off the event loop), then writes the experiment, its runs and their
     * commands in one transaction and asks the outbox relay to publish them. The answer does not wait for the broker.
     */
    public Uni<Submitted> submit(ExperimentSpec spec, Caller caller) {
        if (!caller.canCreate()) {
            return Uni.createFrom().failure(new ForbiddenException("a " + caller.role().wire()
                    + " may not submit experiments; ask for the researcher role"));
        }
        return validator.validate(spec, caller)
                .map(validated -> planner.plan(validated, caller.user()))
                .call(planWriter::write)
                .invoke(relay::trigger)
                .map(plan -> new Submitted(plan.experiment().id, plan.runs().size()));
    }

    /**
     * Cancels every unfinished run of the experiment, or one run of it ({@code runId} not null). In this order: the
     * durable marker in storage (so no trainer starts a cancelled run, whenever its command reaches it), then in one
     * transaction the runs become CANCELLED, their unsent commands are dropped and a signal for the running trainers
     * joins the outbox. Cancelling again is harmless and sends the signal again. Finished runs keep their state.
     */
    public Uni<ExperimentSummary> cancel(UUID experimentId, UUID runId, String reason, Caller caller) {
        Instant now = Instant.now();
        return checkCancelTarget(experimentId, runId, caller)
                .chain(() -> vertx.executeBlocking(() -> {
                    cancellations.cancel(experimentId, runId == null ? List.of() : List.of(runId), reason, now);
                    return null;
                }, false))
                .chain(() -> markCancelled(experimentId, runId, reason, now))
                .invoke(relay::trigger)
                .chain(() -> summary(experimentId, caller));
    }

    /**
     * The experiment (and run) must exist and be visible to the caller (else 404, as if it did not exist), and the
     * caller must be allowed to change it (else 403).
     */
    @WithSession
    Uni<Void> checkCancelTarget(UUID experimentId, UUID runId, Caller caller) {
        return visible(experimentId, caller)
                .invoke(experiment -> {
                    if (!caller.canChange(experiment.owner)) {
                        throw new ForbiddenException(experiment.owner == null
                                ? "only an admin may cancel experiment " + experimentId + " (it has no owner)"
                                : "experiment " + experimentId + " belongs to " + experiment.owner
                                        + "; only its owner or an admin may cancel it");
                    }
                })
                .chain(experiment -> runId == null ? Uni.createFrom().voidItem() : runs.findById(runId)
                        .onItem().ifNull().failWith(() -> new NotFoundException("no run " + runId))
                        .invoke(run -> {
                            if (!run.experimentId.equals(experimentId)) {
                                throw new NotFoundException("no run " + runId + " in experiment " + experimentId);
                            }
                        }).replaceWithVoid());
    }

    @WithTransaction
    Uni<Void> markCancelled(UUID experimentId, UUID runId, String reason, Instant at) {
        OutboxEntity signal = new OutboxEntity();
        signal.kind = OutboxEntity.Kind.CONTROL;
        signal.runId = runId == null ? experimentId : runId;
        signal.routingKey = "";
        signal.payload = Messages.encode(CancelRuns.of(experimentId, runId == null ? List.of() : List.of(runId),
                reason, at));
        signal.createdAt = at;
        return runs.cancelUnfinished(experimentId, runId, reason, at)
                .chain(() -> outbox.dropUnsentCommands(experimentId, runId))
                .chain(() -> outbox.persist(signal))
                .replaceWithVoid();
    }

    /**
     * The experiment when the caller may read it; fails with {@link NotFoundException} when it does not exist or is
     * another user's private experiment (the two look the same, so ids of private experiments reveal nothing).
     */
    private Uni<ExperimentEntity> visible(UUID id, Caller caller) {
        return experiments.findById(id)
                .onItem().ifNull().failWith(() -> new NotFoundException("no experiment " + id))
                .invoke(experiment -> {
                    if (!caller.canRead(experiment.owner, experiment.visibility)) {
                        throw new NotFoundException("no experiment " + id);
                    }
                });
    }

    @WithSession
    public Uni<ExperimentSummary> summary(UUID id, Caller caller) {
        return visible(id, caller)
                .chain(experiment -> runs.summarize(id).map(states -> {
                    Map<RunState, Long> byState = new EnumMap<>(RunState.class);
                    states.forEach(s -> byState.put(s.state(), s.count()));
                    RunCounts counts = RunCounts.of(byState);
                    Instant startedAt = states.stream().map(RunRepository.StateSummary::firstStartedAt)
                            .filter(Objects::nonNull).min(Instant::compareTo).orElse(null);
                    Instant finishedAt = counts.total() > 0 && counts.finished() == counts.total()
                            ? states.stream().map(RunRepository.StateSummary::lastFinishedAt)
                                    .filter(Objects::nonNull).max(Instant::compareTo).orElse(null)
                            : null;
                    return new ExperimentSummary(experiment, ExperimentStatus.of(counts), counts, startedAt,
                            finishedAt);
                }));
    }

    /** A page of a listing and how many items the whole listing has. */
    public record Listed(long total, List<ExperimentSummary> items) {
    }

    /**
     * A page of the experiments whose name contains {@code name} and whose status is {@code status} (either may be
     * null for any), newest first.
     */
    @WithSession
    public Uni<Listed> list(ExperimentStatus status, String name, int page, int size, Caller caller) {
        return experiments.tallies(name == null || name.isBlank() ? null : name.strip(),
                caller.isAdmin() ? null : caller.user()).chain(tallies -> {
            List<ExperimentRepository.RunTally> matching = tallies.stream()
                    .filter(t -> status == null || ExperimentStatus.of(RunCounts.of(t.byState())) == status)
                    .toList();
            int from = (int) Math.min((long) page * size, matching.size());
            List<ExperimentRepository.RunTally> slice = matching.subList(from, Math.min(from + size,
                    matching.size()));
            if (slice.isEmpty()) {
                return Uni.createFrom().item(new Listed(matching.size(), List.of()));
            }
            return experiments.list("id in ?1", slice.stream().map(ExperimentRepository.RunTally::experimentId)
                    .toList()).map(entities -> {
                        Map<UUID, ExperimentEntity> byId = new HashMap<>();
                        entities.forEach(e -> byId.put(e.id, e));
                        List<ExperimentSummary> items = slice.stream().filter(t -> byId.containsKey(t.experimentId()))
                                .map(t -> summarize(byId.get(t.experimentId()), t.byState(), t.firstStartedAt(),
                                        t.lastFinishedAt()))
                                .toList();
                        return new Listed(matching.size(), items);
                    });
        });
    }

    private static ExperimentSummary summarize(ExperimentEntity experiment, Map<RunState, Long> byState,
            Instant firstStartedAt, Instant lastFinishedAt) {
        RunCounts counts = RunCounts.of(byState);
        Instant finishedAt = counts.total() > 0 && counts.finished() == counts.total() ? lastFinishedAt : null;
        return new ExperimentSummary(experiment, ExperimentStatus.of(counts), counts, firstStartedAt, finishedAt);
    }

    /** A run and its attempts, oldest first. */
    public record RunWithAttempts(RunEntity run, List<RunAttemptEntity> attempts) {
    }

    /** A page of the experiment's runs in partition order; fails with {@link NotFoundException} for no experiment. */
    @WithSession
    public Uni<List<RunWithAttempts>> runs(UUID experimentId, Page page, Caller caller) {
        return visible(experimentId, caller)
                .chain(experiment -> runs.page(experimentId, page))
                .chain(page1 -> attempts.ofRuns(page1.stream().map(r -> r.id).toList()).map(all -> {
                    Map<UUID, List<RunAttemptEntity>> byRun = new HashMap<>();
                    all.forEach(a -> byRun.computeIfAbsent(a.id.runId(), k -> new java.util.ArrayList<>()).add(a));
                    return page1.stream().map(r -> new RunWithAttempts(r, byRun.getOrDefault(r.id, List.of())))
                            .toList();
                }));
    }

    /** One run of the experiment with its attempts; {@link NotFoundException} when either is unknown. */
    @WithSession
    public Uni<RunWithAttempts> run(UUID experimentId, UUID runId, Caller caller) {
        return visible(experimentId, caller).chain(() -> runs.findById(runId))
                .onItem().ifNull().failWith(() -> new NotFoundException("no run " + runId))
                .invoke(run -> {
                    if (!run.experimentId.equals(experimentId)) {
                        throw new NotFoundException("no run " + runId + " in experiment " + experimentId);
                    }
                })
                .chain(run -> attempts.ofRun(runId).map(list -> new RunWithAttempts(run, list)));
    }
}
