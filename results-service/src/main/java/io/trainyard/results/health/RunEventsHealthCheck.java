package io.trainyard.results.health;

import io.trainyard.results.messaging.RunEventConsumer;
import io.trainyard.results.messaging.RunEventQueue;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * The run-events consumer's health. Ready while events are being delivered (not while the broker is unreachable or
 * the connection recovers); alive unless the consumer is stuck in a way only a restart mends (the broker closed its
 * channel or cancelled it, or the thread storing batches ended).
 */
public final class RunEventsHealthCheck {

    private static final String NAME = "run-events";

    private RunEventsHealthCheck() {
    }

    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {

        private final RunEventQueue queue;

        public Ready(RunEventQueue queue) {
            this.queue = queue;
        }

        @Override
        public HealthCheckResponse call() {
            var response = HealthCheckResponse.named(NAME).status(queue.isConsuming());
            if (!queue.isConsuming()) {
                response.withData("problem", String.valueOf(queue.problem()));
            }
            return response.build();
        }
    }

    @Liveness
    @ApplicationScoped
    public static class Alive implements HealthCheck {

        private final RunEventQueue queue;
        private final RunEventConsumer consumer;

        public Alive(RunEventQueue queue, RunEventConsumer consumer) {
            this.queue = queue;
            this.consumer = consumer;
        }

        @Override
        public HealthCheckResponse call() {
            boolean alive = consumer.isRunning() && !queue.isBroken();
            var response = HealthCheckResponse.named(NAME).status(alive);
            if (!alive) {
                response.withData("problem", queue.isBroken() ? String.valueOf(queue.problem())
                        : "the thread storing batches has ended");
            }
            return response.build();
        }
    }
}
