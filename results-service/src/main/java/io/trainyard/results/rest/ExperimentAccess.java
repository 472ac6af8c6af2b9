package io.trainyard.results.rest;

import io.smallrye.mutiny.Uni;
import io.trainyard.contracts.Caller;
import io.trainyard.results.repository.ExperimentAccessRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * The scheduler's visibility rules applied to this service's experiments, from the owner and visibility that the
 * experiment's events carry (the scheduler puts them in each training command, the trainer copies them into every
 * event). This service never asks the scheduler. Another user's private experiment answers 404; an experiment whose
 * events named no owner (none arrived yet, or they predate owners) is shown to everyone, as the scheduler shows
 * experiments without owner.
 */
@ApplicationScoped
public class ExperimentAccess {

    private final ExperimentAccessRepository owners;

    public ExperimentAccess(ExperimentAccessRepository owners) {
        this.owners = owners;
    }

    /** Fails with a 404 problem when {@code caller} may not read the experiment. */
    public Uni<Void> check(UUID experimentId, Caller caller) {
        return owners.owner(experimentId).map(owner -> {
            if (owner.isPresent() && !caller.canRead(owner.get().owner(), owner.get().visibility())) {
                throw new NotFoundProblemException("no experiment " + experimentId + " is visible to "
                        + caller.user());
            }
            return null;
        }).replaceWithVoid();
    }
}
