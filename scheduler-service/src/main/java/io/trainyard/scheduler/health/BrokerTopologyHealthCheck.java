package io.trainyard.scheduler.health;

import io.trainyard.scheduler.messaging.BrokerTopology;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the trainer queues and the dead-letter queue are declared: before that, commands wait in the outbox.
 * Submissions are still accepted meanwhile, but a scheduler that cannot reach the broker should not look healthy.
 */
@Readiness
@ApplicationScoped
public class BrokerTopologyHealthCheck implements HealthCheck {

    private final BrokerTopology topology;

    public BrokerTopologyHealthCheck(BrokerTopology topology) {
        this.topology = topology;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("broker-topology").status(topology.isDeclared());
        if (!topology.isDeclared()) {
            response.withData("problem", String.valueOf(topology.problem()));
        }
        return response.build();
    }
}
