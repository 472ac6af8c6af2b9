package io.trainyard.scheduler.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.trainyard.scheduler.testing.Api;
import io.trainyard.scheduler.testing.Broker;
import io.trainyard.scheduler.testing.Problems;
import io.trainyard.storage.testing.S3ProxyResource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
class ExperimentListingTest {

    @AfterAll
    static void cleanUp() {
        Broker.purgeTestPool();
    }

    /** Submits an experiment named {@code name} of one city; returns its id. */
    private static UUID submit(String dataset, String name) {
        Map<String, Object> spec = Api.spec(dataset);
        spec.put("name", name);
        return Api.submitted(spec);
    }

    private static JsonPath list(Map<String, Object> query) {
        return given().queryParams(query).get("/experiments").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void experimentsArePagedNewestFirstAndFilteredByNameAndStatus() {
        String token = "Listing-" + UUID.randomUUID().toString().substring(0, 8);
        String dataset = Api.demoDataset(1);
        UUID first = submit(dataset, token + " first");
        UUID second = submit(dataset, token + " second");
        UUID third = submit(dataset, "other " + token.toLowerCase() + " third");
        submit(dataset, "unrelated");

        JsonPath page0 = list(Map.of("name", token.toUpperCase(), "size", 2));
        assertThat(page0.getLong("total")).isEqualTo(3);
        assertThat(page0.getInt("page")).isZero();
        assertThat(page0.getInt("size")).isEqualTo(2);
        assertThat(page0.getList("items.id")).containsExactly(third.toString(), second.toString());
        JsonPath page1 = list(Map.of("name", token, "size", 2, "page", 1));
        assertThat(page1.getList("items.id")).containsExactly(first.toString());
        assertThat(page1.getList("items.status")).containsExactly("queued");
        assertThat(page1.getList("items.runs", Integer.class)).containsExactly(1);
        assertThat(list(Map.of("name", token, "size", 2, "page", 5)).getList("items")).isEmpty();

        // The first experiment's only run fails (its command dead-lettered: that queue has no backlog of other
        // services' events): the experiment is failed, the others still queued.
        UUID run = UUID.fromString((String) Api.runs(first).get(0).get("id"));
        try (Broker broker = Broker.connect()) {
            broker.deadLetter(io.trainyard.contracts.Messages.encode(Broker.command(first, run)), "rejected");
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> list(Map.of("name", token, "status", "failed"))
                .getList("items.id").equals(List.of(first.toString())));
        assertThat(list(Map.of("name", token, "status", "QUEUED")).getList("items.id"))
                .containsExactly(third.toString(), second.toString());
        assertThat(list(Map.of("name", token, "status", "succeeded")).getLong("total")).isZero();
    }

    @Test
    void nameFilterTakesWildcardsLiterally() {
        String token = "pct-" + UUID.randomUUID().toString().substring(0, 8);
        submit(Api.demoDataset(1), token + " 100% done");
        assertThat(list(Map.of("name", token + " 100%")).getLong("total")).isEqualTo(1);
        assertThat(list(Map.of("name", token + "%done")).getLong("total")).isZero();
        assertThat(list(Map.of("name", token + "_")).getLong("total")).isZero();
    }

    @Test
    void badPagingAndStatusAreNamed() {
        assertThat(Problems.violations(given().queryParam("page", -1).queryParam("size", 0).get("/experiments")))
                .containsOnlyKeys("page", "size");
        assertThat(Problems.violations(given().queryParam("size", 101).get("/experiments")))
                .containsOnlyKeys("size").hasEntrySatisfying("size", m -> assertThat(m).contains("100"));
        assertThat(Problems.violations(given().queryParam("page", "abc").get("/experiments")))
                .containsOnlyKeys("page");
        assertThat(Problems.violations(given().queryParam("status", "done").get("/experiments")))
                .containsOnlyKeys("status").hasEntrySatisfying("status",
                        m -> assertThat(m).contains("queued", "partially_failed"));

        UUID id = Api.submitted(Api.spec(Api.demoDataset(1)));
        assertThat(Problems.violations(given().queryParam("page", "x").queryParam("size", 10_001)
                .get("/experiments/" + id + "/runs"))).containsOnlyKeys("page", "size");
        assertThat(given().queryParam("page", 1).queryParam("size", 1).get("/experiments/" + id + "/runs").then()
                .statusCode(200).extract().jsonPath().getList("$")).isEmpty();
    }
}
