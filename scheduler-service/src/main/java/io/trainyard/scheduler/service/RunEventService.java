package io.trainyard.scheduler.service;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.trainyard.contracts.RunEvent;
import io.trainyard.scheduler.repository.RunAttemptRepository;
import io.trainyard.scheduler.repository.RunRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/** Applies run events to the runs they are about, one transaction per event. */
@ApplicationScoped
public class RunEventService {

    private final RunRepository runs;
    private final RunAttemptRepository attempts;

    public RunEventService(RunRepository runs, RunAttemptRepository attempts) {
        this.runs = runs;
        this.attempts = attempts;
    }

    /**
     * Applies {@code event} to its run, locked for the transaction so that replicas consuming the same queue never
     * interleave on one run. Empty when the run is unknown here (another installation's run, or a deleted one).
     */
    @WithTransaction
    public Uni<Optional<RunEvents.Outcome>> apply(RunEvent event) {
        return runs.findForUpdate(event.run().runId()).chain(run -> {
            if (run == null) {
                return Uni.createFrom().item(Optional.<RunEvents.Outcome>empty());
            }
            RunEvents.Outcome outcome = RunEvents.apply(run, event);
            // A finished run's attempts still learn how they ended (a cancelled run's trainer reports its stop).
            if (outcome == RunEvents.Outcome.STALE || outcome == RunEvents.Outcome.MISMATCHED) {
                return Uni.createFrom().item(Optional.of(outcome));
            }
            // The run's row lock also serialises its attempt records.
            return attempts.ofRun(run.id).chain(known -> {
                var created = RunAttempts.apply(known, event);
                return created == null ? Uni.createFrom().voidItem() : attempts.persist(created).replaceWithVoid();
            }).replaceWith(Optional.of(outcome));
        });
    }
}
