package io.trainyard.contracts;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Something that happened to a run, published on {@link Topology#EVENTS_EXCHANGE} with the routing key
 * {@link #routingKey()}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = RunStarted.class, name = RunEvent.STARTED),
        @JsonSubTypes.Type(value = RunProgressed.class, name = RunEvent.PROGRESS),
        @JsonSubTypes.Type(value = RunCheckpointed.class, name = RunEvent.CHECKPOINTED),
        @JsonSubTypes.Type(value = RunCompleted.class, name = RunEvent.COMPLETED),
        @JsonSubTypes.Type(value = RunFailed.class, name = RunEvent.FAILED),
        @JsonSubTypes.Type(value = RunCancelled.class, name = RunEvent.CANCELLED),
        @JsonSubTypes.Type(value = RunReleased.class, name = RunEvent.RELEASED)
})
public sealed interface RunEvent permits RunStarted, RunProgressed, RunCheckpointed, RunCompleted, RunFailed,
        RunCancelled, RunReleased {

    String STARTED = "run.started";
    String PROGRESS = "run.progress";
    String CHECKPOINTED = "run.checkpointed";
    String COMPLETED = "run.completed";
    String FAILED = "run.failed";
    String CANCELLED = "run.cancelled";
    String RELEASED = "run.released";

    /** Which run, attempt and position in the attempt's sequence. */
    RunRef run();

    /** Routing key on the events exchange, also the {@code type} property of the JSON. */
    @JsonIgnore
    default String routingKey() {
        return switch (this) {
            case RunStarted e -> STARTED;
            case RunProgressed e -> PROGRESS;
            case RunCheckpointed e -> CHECKPOINTED;
            case RunCompleted e -> COMPLETED;
            case RunFailed e -> FAILED;
            case RunCancelled e -> CANCELLED;
            case RunReleased e -> RELEASED;
        };
    }
}
