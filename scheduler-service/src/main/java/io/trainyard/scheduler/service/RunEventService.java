package io.trainyard.scheduler.service;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.trainyard.contracts.RunEvent;
import io.trainyard.scheduler.repository.RunRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/** Applies run events to the runs they are about, one transaction per event. */
@ApplicationScoped
public class RunEventService {

    private final RunRepository runs;

    public RunEventService(RunRepository runs) {
        this.runs = runs;
    }

    /**
     * Applies {@code event} to its run, locked for the transaction so that replicas consuming the same queue never
     * interleave on one run. Empty when the run is unknown here (another installation's run, or a deleted one).
     */
    @WithTransaction
    public Uni<Optional<RunEvents.Outcome>> apply(RunEvent event) {
        return runs.findForUpdate(event.run().runId())
                .map(run -> run == null ? Optional.empty() : Optional.of(RunEvents.apply(run, event)));
    }
}
