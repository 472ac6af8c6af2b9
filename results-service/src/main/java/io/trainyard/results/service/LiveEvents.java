package io.trainyard.results.service;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import io.trainyard.contracts.Caller;
import io.trainyard.contracts.Visibility;
import io.trainyard.contracts.RunCancelled;
import io.trainyard.contracts.RunCompleted;
import io.trainyard.contracts.RunEvent;
import io.trainyard.contracts.RunFailed;
import io.trainyard.contracts.RunProgressed;
import io.trainyard.results.config.ResultsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * Hands newly stored progress, completion and failure events to the live streams of their experiment. Events are
 * offered after their transaction committed, in the order they were stored; a subscriber sees what is stored from
 * the moment it subscribes (the REST API has the history).
 */
@ApplicationScoped
public class LiveEvents {

    /**
     * One event as streamed.
     *
     * @param kind the routing key (run.progress, run.completed, run.failed), the SSE event name
     * @param json the message as received
     */
    public record LiveEvent(UUID experimentId, UUID runId, String kind, String json, String owner,
            Visibility visibility) {
    }

    private final BroadcastProcessor<LiveEvent> processor = BroadcastProcessor.create();
    private final int buffer;

    public LiveEvents(ResultsConfig config) {
        this.buffer = config.live().buffer();
    }

    /** Offers a stored event to the live streams; kinds other than progress, completion, failure and cancellation are skipped. */
    public void stored(RunEvent event, String json) {
        if (event instanceof RunProgressed || event instanceof RunCompleted || event instanceof RunFailed
                || event instanceof RunCancelled) {
            LiveEvent live = new LiveEvent(event.run().experimentId(), event.run().runId(), event.routingKey(), json,
                    event.run().owner(), event.run().visibility());
            // onNext must not be called concurrently; the consumer may finish messages on more than one thread
            synchronized (processor) {
                processor.onNext(live);
            }
        }
    }

    /** The live events of one experiment, from now on, that {@code caller} may read. */
    public Multi<LiveEvent> of(UUID experimentId, Caller caller) {
        return processor.filter(e -> e.experimentId().equals(experimentId) && caller.canRead(e.owner(),
                        e.visibility()))
                .onOverflow().buffer(buffer);
    }
}
