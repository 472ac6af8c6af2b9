package io.trainyard.scheduler.service;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.trainyard.contracts.TrainRun;
import io.trainyard.scheduler.RunEntity;
import io.trainyard.scheduler.RunState;
import io.trainyard.scheduler.repository.RunRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Optional;

/** Fails the runs whose training commands the broker dead-lettered: nobody will train them any more. */
@ApplicationScoped
public class DeadCommandService {

    /** What became of a dead-lettered command. */
    public enum Outcome {
        /** Its run is FAILED now. */
        FAILED,
        /** Its run had already succeeded or failed: a finished run keeps its result. */
        FINISHED,
        /** The command names another experiment than the run belongs to. */
        MISMATCHED
    }

    private final RunRepository runs;

    public DeadCommandService(RunRepository runs) {
        this.runs = runs;
    }

    /** Marks the command's run FAILED with {@code reason}; empty when the run is unknown here. */
    @WithTransaction
    public Uni<Optional<Outcome>> fail(TrainRun command, String reason) {
        return runs.findForUpdate(command.runId()).map(run -> run == null ? Optional.empty()
                : Optional.of(fail(run, command, reason)));
    }

    private static Outcome fail(RunEntity run, TrainRun command, String reason) {
        if (!run.experimentId.equals(command.experimentId())) {
            return Outcome.MISMATCHED;
        }
        if (run.state.isTerminal()) {
            return Outcome.FINISHED;
        }
        run.state = RunState.FAILED;
        run.reason = reason;
        run.finishedAt = Instant.now();
        return Outcome.FAILED;
    }
}
