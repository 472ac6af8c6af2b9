package io.trainyard.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trainyard.contracts.RunEvent;
import io.trainyard.contracts.testing.TestTokens;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The live stream of an experiment: subscribe, publish to the broker, see the events arrive in order. */
@QuarkusTest
class LiveEventsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TestHTTPResource("/")
    URL root;

    /** One server-sent event as read off the wire. */
    record Received(String name, JsonNode data) {
    }

    @Test
    void progressCompletionsAndFailuresArriveInOrder() throws Exception {
        UUID experiment = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        UUID failing = UUID.randomUUID();
        List<Received> received = new CopyOnWriteArrayList<>();
        HttpClient client = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<Stream<String>>> response = client.sendAsync(
                HttpRequest.newBuilder(URI.create(root + "experiments/" + experiment + "/events"))
                        .header("Accept", "text/event-stream")
                        .header("Authorization", "Bearer " + TestTokens.admin()).build(),
                HttpResponse.BodyHandlers.ofLines());
        Thread reader = Thread.ofVirtual().start(() -> read(response, received));
        try (EventBroker broker = new EventBroker()) {
            // the subscription starts when the server handles the request: probe until the stream delivers
            UUID probe = UUID.randomUUID();
            int[] epoch = {0};
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(300)).until(() -> {
                broker.publish(Events.progressed(experiment, probe, ++epoch[0]));
                return !received.isEmpty();
            });

            List<RunEvent> published = new ArrayList<>();
            published.add(Events.started(experiment, run, "city-1")); // not a live kind
            published.add(Events.progressed(other, UUID.randomUUID(), 1)); // another experiment
            for (int e = 1; e <= Events.EPOCHS; e++) {
                published.add(Events.progressed(experiment, run, e));
            }
            published.add(Events.progressed(experiment, run, 1)); // a duplicate: stored once, streamed once
            published.add(Events.failed(experiment, failing, "out of memory"));
            published.add(Events.completed(experiment, run, 1, "city-1", Events.metrics(1.0, 2.0, 0.1)));
            for (RunEvent event : published) {
                broker.publish(event);
            }

            List<Received> ours = await().atMost(PATIENCE).until(
                    () -> received.stream().filter(r -> !r.data().get("run").get("runId").asText()
                            .equals(probe.toString())).toList(),
                    list -> list.size() >= 5);
            assertThat(ours).extracting(Received::name).containsExactly("run.progress", "run.progress",
                    "run.progress", "run.failed", "run.completed");
            assertThat(ours.subList(0, 3)).extracting(r -> r.data().get("epoch").asInt()).containsExactly(1, 2, 3);
            assertThat(ours.get(3).data().get("reason").asText()).isEqualTo("out of memory");
            assertThat(ours.get(4).data().get("metrics").get("mae").asDouble()).isEqualTo(1.0);
            assertThat(ours).allSatisfy(r -> assertThat(r.data().get("run").get("experimentId").asText())
                    .isEqualTo(experiment.toString()));
            // the stream is quiet after the completion: nothing late, nothing twice
            Thread.sleep(500);
            assertThat(received.stream().filter(r -> r.data().get("run").get("runId").asText()
                    .equals(run.toString()))).hasSize(4);
        } finally {
            response.cancel(true);
            reader.interrupt();
            client.shutdownNow();
        }
    }

    private static void read(CompletableFuture<HttpResponse<Stream<String>>> response, List<Received> received) {
        try (Stream<String> lines = response.join().body()) {
            String[] name = {null};
            StringBuilder data = new StringBuilder();
            lines.forEach(line -> {
                if (line.startsWith("event:")) {
                    name[0] = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).trim());
                } else if (line.isEmpty() && !data.isEmpty()) {
                    try {
                        received.add(new Received(name[0], JSON.readTree(data.toString())));
                    } catch (Exception e) {
                        throw new IllegalStateException("event data is not JSON: " + data, e);
                    }
                    name[0] = null;
                    data.setLength(0);
                }
            });
        } catch (Exception e) {
            // the stream ends when the test cancels it
        }
    }
}
