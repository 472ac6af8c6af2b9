package io.trainyard.scheduler.service;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Page;
import io.smallrye.mutiny.Uni;
import io.trainyard.scheduler.ExperimentEntity;
import io.trainyard.scheduler.RunEntity;
import io.trainyard.scheduler.RunState;
import io.trainyard.scheduler.messaging.OutboxRelay;
import io.trainyard.scheduler.repository.ExperimentRepository;
import io.trainyard.scheduler.repository.OutboxRepository;
import io.trainyard.scheduler.repository.RunRepository;
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

    public ExperimentService(SpecValidator validator, ExperimentPlanner planner, ExperimentRepository experiments,
            RunRepository runs, OutboxRepository outbox, OutboxRelay relay) {
        this.validator = validator;
        this.planner = planner;
        this.experiments = experiments;
        this.runs = runs;
        this.outbox = outbox;
        this.relay = relay;
    }

    /** A submitted experiment: its id and how many runs it fanned out into. */
    public record Submitted(UUID id, int runs) {
    }

    /**
     * Checks the spec (the dataset lookup runs off the event loop), then writes the experiment, its runs and their
     * commands in one transaction and asks the outbox relay to publish them. The answer does not wait for the broker.
     */
    public Uni<Submitted> submit(ExperimentSpec spec) {
        return validator.validate(spec)
                .map(planner::plan)
                .call(this::save)
                .invoke(relay::trigger)
                .map(plan -> new Submitted(plan.experiment().id, plan.runs().size()));
    }

    @WithTransaction
    Uni<Void> save(ExperimentPlan plan) {
        return experiments.persist(plan.experiment())
                .chain(() -> runs.persist(plan.runs()))
                .chain(() -> outbox.persist(plan.commands()));
    }

    @WithSession
    public Uni<ExperimentSummary> summary(UUID id) {
        return experiments.findById(id)
                .onItem().ifNull().failWith(() -> new NotFoundException("no experiment " + id))
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
    public Uni<Listed> list(ExperimentStatus status, String name, int page, int size) {
        return experiments.tallies(name == null || name.isBlank() ? null : name.strip()).chain(tallies -> {
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

    /** A page of the experiment's runs in partition order; fails with {@link NotFoundException} for no experiment. */
    @WithSession
    public Uni<List<RunEntity>> runs(UUID experimentId, Page page) {
        return experiments.findById(experimentId)
                .onItem().ifNull().failWith(() -> new NotFoundException("no experiment " + experimentId))
                .chain(experiment -> runs.page(experimentId, page));
    }
}
