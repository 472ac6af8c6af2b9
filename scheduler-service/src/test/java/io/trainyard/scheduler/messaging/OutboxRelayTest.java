package io.trainyard.scheduler.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.TrainRun;
import io.trainyard.scheduler.testing.Api;
import io.trainyard.scheduler.testing.Broker;
import io.trainyard.scheduler.testing.CommandsThroughProxyResource;
import io.trainyard.storage.testing.S3ProxyResource;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The outbox keeps commands while the broker is unreachable and publishes them, once each, when it is back. */
@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
@QuarkusTestResource(value = CommandsThroughProxyResource.class, restrictToAnnotatedClass = true)
class OutboxRelayTest {

    @AfterAll
    static void cleanUp() {
        Broker.purgeTestPool();
    }

    private static List<TrainRun> commandsOf(List<Broker.Delivery> deliveries, UUID experimentId) {
        return deliveries.stream().map(d -> Messages.decodeCommand(d.body()))
                .filter(c -> c.experimentId().equals(experimentId)).toList();
    }

    @Test
    void commandsWaitInTheOutboxWhileTheBrokerIsAwayAndGoOnceWhenItIsBack() {
        try (Broker broker = Broker.connect()) {
            List<Broker.Delivery> deliveries = broker.observeCommands();
            String dataset = Api.demoDataset(2);

            // The way to the broker works...
            UUID before = Api.submitted(Api.spec(dataset));
            await().atMost(Duration.ofSeconds(30)).until(() -> commandsOf(deliveries, before).size() == 2);

            // ...then it is cut: submissions are still accepted, their commands wait.
            CommandsThroughProxyResource.proxy().stop();
            Response response = Api.submit(Api.spec(dataset));
            response.then().statusCode(201);
            UUID during = UUID.fromString(response.jsonPath().getString("id"));
            await().pollDelay(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(5)).until(() -> true);
            assertThat(commandsOf(deliveries, during)).isEmpty();
            assertThat(Api.runs(during)).extracting(r -> r.get("state")).containsOnly("PENDING");
            assertThat(Api.experiment(during).jsonPath().getString("status")).isEqualTo("queued");

            CommandsThroughProxyResource.proxy().start();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(Api.runs(during))
                    .extracting(r -> r.get("state")).containsOnly("QUEUED"));
            assertThat(commandsOf(deliveries, during)).extracting(TrainRun::runId).hasSize(2)
                    .doesNotHaveDuplicates();
            assertThat(commandsOf(deliveries, before)).hasSize(2);
        }
    }
}
