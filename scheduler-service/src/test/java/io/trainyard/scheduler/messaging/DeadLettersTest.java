package io.trainyard.scheduler.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

    private static Map<String, Object> death(String reason, String queue, long count) {
        return Map.of("x-death", List.of(Map.of("reason", reason, "queue", queue, "count", count),
                Map.of("reason", "expired", "queue", "older", "count", 1L)));
    }

    @Test
    void deliveryLimitOfATrainerQueueCountsTheDeliveries() {
        assertThat(DeadLetters.reason(death("delivery_limit", "trainer.cpu", 1), 5)).isEqualTo(
                "command dead-lettered from trainer.cpu after 6 deliveries (delivery limit reached): every trainer "
                        + "that took it failed or crashed");
    }

    @Test
    void newestDeathDecidesAndRepeatsAreCounted() {
        assertThat(DeadLetters.reason(death("rejected", "trainer.gpu", 3), 5))
                .isEqualTo("command rejected by a trainer and dead-lettered from trainer.gpu (dead-lettered 3 times)");
        assertThat(DeadLetters.reason(death("expired", "trainer.cpu", 1), 5))
                .isEqualTo("command expired in trainer.cpu before a trainer took it");
    }

    @Test
    void lastDeathHeadersAndNoHeadersAreUnderstood() {
        assertThat(DeadLetters.reason(Map.of("x-last-death-reason", "maxlen", "x-last-death-queue", "trainer.cpu"),
                5)).isEqualTo("command dropped from trainer.cpu: the queue was full");
        assertThat(DeadLetters.reason(Map.of(), 5)).contains("unknown reason");
        assertThat(DeadLetters.reason(null, 5)).contains("unknown reason");
    }
}
