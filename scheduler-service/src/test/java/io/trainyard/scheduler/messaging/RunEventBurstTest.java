package io.trainyard.scheduler.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trainyard.contracts.RunCheckpointed;
import io.trainyard.contracts.RunCompleted;
import io.trainyard.contracts.RunEvent;
import io.trainyard.contracts.RunFailed;
import io.trainyard.contracts.RunProgressed;
import io.trainyard.contracts.RunRef;
import io.trainyard.contracts.RunReleased;
import io.trainyard.contracts.RunStarted;
import io.trainyard.contracts.Topology;
import io.trainyard.scheduler.service.RunEvents;
import io.trainyard.scheduler.testing.Broker;
import io.trainyard.scheduler.testing.RunTables;
import io.trainyard.storage.testing.S3ProxyResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A burst of run events through the queue: many runs' events interleaved, far more than the prefetch
 * ({@code max-outstanding-messages}, 1024), so the listener's batches form and only acknowledged messages let the
 * broker deliver the rest. Each run's events are published in order and its row and attempts must end as those
 * events applied in that order one at a time would leave them.
 */
@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
class RunEventBurstTest {

    private static final int RUNS = 50;
    private static final int EVENTS_PER_ATTEMPT = 25;
    private static final int EPOCHS = 60;
    private static final Instant T0 = Instant.parse("2026-04-01T08:00:00Z");

    @Inject
    AgroalDataSource database;
    @Inject
    RunEventBatcher batcher;
    @Inject
    MeterRegistry registry;

    private final UUID experiment = UUID.randomUUID();

    private RunRef ref(UUID run, int attempt, long sequence) {
        return new RunRef(experiment, run, attempt, sequence, "trainer-" + attempt,
                T0.plusSeconds(attempt * 100_000L + sequence).plusNanos(456_000));
    }

    /**
     * What a trainer says of run number {@code i}: attempt 1 trains, checkpoints and releases the run at the end of
     * its segment, attempt 2 resumes it; a third of the runs then complete, a third fail and a third go on running.
     * Out of order, attempt 1 would end INTERRUPTED rather than RELEASED, and the epochs would not be the last ones.
     */
    private List<RunEvent> story(UUID run, int i) {
        List<RunEvent> events = new ArrayList<>();
        events.add(new RunStarted(ref(run, 1, 1), "p", 0, null, EPOCHS, null));
        int epoch = 0;
        for (int s = 2; s < EVENTS_PER_ATTEMPT; s++) {
            epoch++;
            events.add(s % 5 == 0 ? new RunCheckpointed(ref(run, 1, s), epoch, "checkpoints/" + run + "/", 10)
                    : new RunProgressed(ref(run, 1, s), epoch, EPOCHS, 1.0 / s, 1.1 / s, 0.01));
        }
        events.add(new RunReleased(ref(run, 1, EVENTS_PER_ATTEMPT), epoch, "segment"));
        int resumedFrom = epoch;
        events.add(new RunStarted(ref(run, 2, 1), "p", resumedFrom, resumedFrom, EPOCHS, null));
        for (int s = 2; s < EVENTS_PER_ATTEMPT; s++) {
            epoch++;
            events.add(new RunProgressed(ref(run, 2, s), epoch, EPOCHS, 1.0 / s, 1.1 / s, 0.01));
        }
        switch (i % 3) {
            case 0 -> events.add(new RunCompleted(ref(run, 2, EVENTS_PER_ATTEMPT), "p", EPOCHS, Map.of("mae", 1.0),
                    "models/" + run + "/"));
            case 1 -> events.add(new RunFailed(ref(run, 2, EVENTS_PER_ATTEMPT), "diverged in run " + i));
            default -> {
                // still running
            }
        }
        return events;
    }

    private double applied() {
        Counter counter = registry.find("trainyard.scheduler.run.events").tag("outcome", "applied").counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aBurstOfEventsIsAllAppliedInOrderAndAcknowledged() throws Exception {
        List<UUID> runs = Stream.generate(UUID::randomUUID).limit(RUNS).toList();
        RunTables tables = new RunTables(database);
        tables.insertQueuedRuns(experiment, runs);
        RunTables.Model model = tables.model(runs);

        // Round robin over the runs: each run's events in order, the runs interleaved as many trainers' would be.
        List<List<RunEvent>> stories = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            stories.add(story(runs.get(i), i));
        }
        List<RunEvent> burst = new ArrayList<>();
        while (stories.stream().anyMatch(s -> !s.isEmpty())) {
            for (List<RunEvent> story : stories) {
                if (!story.isEmpty()) {
                    burst.add(story.removeFirst());
                }
            }
        }
        assertThat(burst).hasSizeGreaterThan(2 * 1024);
        List<Optional<RunEvents.Outcome>> outcomes = model.applyAll(burst);
        long expectedApplied = outcomes.stream().filter(o -> o.equals(Optional.of(RunEvents.Outcome.APPLIED)))
                .count();
        double appliedBefore = applied();

        try (Broker broker = Broker.connect()) {
            broker.publishAll(burst);

            await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
                assertThat(tables.runRows(runs)).isEqualTo(model.runRows());
                assertThat(tables.attemptRows(runs)).isEqualTo(model.attemptRows());
            });
            // Every message settled here, and the queue holds none: with a prefetch of 1024, the burst could only
            // be delivered this far because the broker received the acknowledgements.
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(batcher.unsettled()).isZero();
                assertThat(broker.channel().queueDeclarePassive(Topology.SCHEDULER_EVENTS_QUEUE).getMessageCount())
                        .isZero();
            });
        }
        assertThat(applied() - appliedBefore).isGreaterThanOrEqualTo(expectedApplied);

        Map<UUID, Map<String, Object>> rows = tables.runRows(runs);
        Map<String, Map<String, Object>> attempts = tables.attemptRows(runs);
        for (int i = 0; i < RUNS; i++) {
            UUID run = runs.get(i);
            String state = switch (i % 3) {
                case 0 -> "SUCCEEDED";
                case 1 -> "FAILED";
                default -> "RUNNING";
            };
            assertThat(rows.get(run)).as("run %d", i).containsEntry("state", state).containsEntry("attempts", 2)
                    .containsEntry("last_attempt", 2).containsEntry("trainer", "trainer-2");
            assertThat(attempts.get(run + "/1")).as("run %d", i).containsEntry("outcome", "RELEASED")
                    .containsEntry("last_epoch", EVENTS_PER_ATTEMPT - 2);
        }
        assertThat(rows.get(runs.get(2))).containsEntry("epoch", 2 * (EVENTS_PER_ATTEMPT - 2));
        assertThat(rows.get(runs.get(1))).containsEntry("reason", "diverged in run 1");
    }
}
