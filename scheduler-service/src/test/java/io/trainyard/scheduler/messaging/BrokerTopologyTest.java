package io.trainyard.scheduler.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.rabbitmq.client.Channel;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trainyard.contracts.Topology;
import io.trainyard.scheduler.testing.Broker;
import io.trainyard.storage.testing.S3ProxyResource;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
class BrokerTopologyTest {

    @Inject
    BrokerTopology topology;

    @Test
    void everyPoolQueueAndTheDeadLetterQueueExistAndTheServiceIsReady() throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(topology::isDeclared);
        try (Broker broker = Broker.connect()) {
            Channel channel = broker.channel();
            // Passive declarations fail (and close the channel) when the name does not exist.
            assertThatCode(() -> {
                channel.exchangeDeclarePassive(Topology.COMMANDS_EXCHANGE);
                channel.exchangeDeclarePassive(Topology.DEAD_EXCHANGE);
                channel.queueDeclarePassive(Topology.trainerQueue("cpu"));
                channel.queueDeclarePassive(Topology.trainerQueue(Broker.TEST_POOL));
                channel.queueDeclarePassive(Topology.DEAD_QUEUE);
            }).doesNotThrowAnyException();
            // Declaring again with exactly the trainers' arguments is accepted: they are the same.
            assertThatCode(() -> channel.queueDeclare(Topology.trainerQueue(Broker.TEST_POOL), true, false, false,
                    Topology.trainerQueueArguments(Broker.TEST_POOL, Topology.DEFAULT_DELIVERY_LIMIT)))
                    .doesNotThrowAnyException();
        }
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void declaringAgainIsHarmless() {
        topology.redeclare();
        await().atMost(Duration.ofSeconds(20)).until(topology::isDeclared);
    }
}
