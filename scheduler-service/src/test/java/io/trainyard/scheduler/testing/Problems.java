package io.trainyard.scheduler.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Reading RFC 7807 answers. */
public final class Problems {

    private Problems() {
    }

    /** The violations of a 400 problem+json answer, by field; asserts the shape of the problem on the way. */
    public static Map<String, String> violations(Response response) {
        response.then().statusCode(400).contentType("application/problem+json");
        assertThat(response.jsonPath().getInt("status")).isEqualTo(400);
        assertThat(response.jsonPath().getString("title")).isNotBlank();
        assertThat(response.jsonPath().getString("type")).isNotBlank();
        List<Map<String, String>> list = response.jsonPath().getList("violations");
        assertThat(list).isNotEmpty();
        assertThat(response.jsonPath().getString("detail")).contains(list.get(0).get("field"));
        return list.stream().collect(Collectors.toMap(v -> v.get("field"), v -> v.get("message"), (a, b) -> a
                + "; " + b));
    }

    /** Asserts an RFC 7807 answer with {@code status} and a detail a person can read. */
    public static void assertProblem(Response response, int status) {
        response.then().statusCode(status).contentType("application/problem+json");
        assertThat(response.jsonPath().getInt("status")).isEqualTo(status);
        assertThat(response.jsonPath().getString("title")).isNotBlank();
        assertThat(response.jsonPath().getString("detail")).isNotBlank();
    }
}
