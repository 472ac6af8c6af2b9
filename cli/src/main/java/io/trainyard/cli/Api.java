package io.trainyard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** The scheduler's and the results service's REST APIs, on the JDK's HTTP client. */
final class Api {

    static final ObjectMapper JSON = new ObjectMapper();

    /** A server-sent event: its name and its data. */
    record Event(String name, String data) {
    }

    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    private final URI scheduler;
    private final URI results;
    private final String token;
    private final Duration timeout;

    /**
     * @param token sent as {@code Authorization: Bearer <token>} when not null or blank
     */
    Api(String scheduler, String results, String token, Duration timeout) {
        this.scheduler = base("scheduler", scheduler);
        this.results = base("results", results);
        this.token = token == null || token.isBlank() ? null : token.strip();
        this.timeout = timeout;
    }

    private static URI base(String what, String url) {
        String trimmed = url.strip();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        try {
            URI uri = URI.create(trimmed);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException("no scheme or host");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the " + what + " URL '" + url + "' is not a URL like "
                    + "http://localhost:8080");
        }
    }

    URI scheduler(String path) {
        return URI.create(scheduler + path);
    }

    URI results(String path) {
        return URI.create(results + path);
    }

    /** {@code ?a=1&b=2} of the non-null values, encoded; empty when there are none. */
    static String query(Map<String, ?> parameters) {
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        parameters.forEach((name, value) -> {
            if (value != null) {
                query.add(name + "=" + URLEncoder.encode(value.toString(), StandardCharsets.UTF_8));
            }
        });
        return query.toString();
    }

    JsonNode get(URI uri) {
        return json(send(request(uri).GET().header("Accept", "application/json").build()));
    }

    String getText(URI uri, String accept) {
        return send(request(uri).GET().header("Accept", accept).build()).body();
    }

    JsonNode post(URI uri, String contentType, HttpRequest.BodyPublisher body) {
        return json(send(request(uri).POST(body).header("Content-Type", contentType)
                .header("Accept", "application/json").build()));
    }

    JsonNode postJson(URI uri, Object body) {
        try {
            return post(uri, "application/json", HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads the server-sent events of {@code uri} until the stream ends; blocks. Each event goes to {@code sink} as it
     * arrives.
     */
    void events(URI uri, Consumer<Event> sink) {
        HttpRequest request = request(uri).timeout(Duration.ofDays(1)).GET().header("Accept", "text/event-stream")
                .build();
        String call = "GET " + uri;
        HttpResponse<Stream<String>> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofLines());
        } catch (IOException e) {
            throw unreachable(call, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(call, "interrupted", e);
        }
        if (response.statusCode() >= 300) {
            throw new ApiException(call, response.statusCode(), String.join("\n", response.body().toList()),
                    token != null);
        }
        try (Stream<String> lines = response.body()) {
            String name = "message";
            StringBuilder data = new StringBuilder();
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                String line = it.next();
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        sink.accept(new Event(name, data.toString()));
                    }
                    name = "message";
                    data.setLength(0);
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    if (!data.isEmpty()) {
                        data.append('\n');
                    }
                    data.append(line.substring(5).stripLeading());
                }
            }
        }
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout);
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    private HttpResponse<String> send(HttpRequest request) {
        String call = request.method() + " " + request.uri();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw unreachable(call, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(call, "interrupted", e);
        }
        if (response.statusCode() >= 300) {
            throw new ApiException(call, response.statusCode(), response.body(), token != null);
        }
        return response;
    }

    private static ApiException unreachable(String call, IOException e) {
        if (e instanceof ConnectException || e instanceof HttpConnectTimeoutException) {
            return new ApiException(call, "cannot connect (is the service running? bin/trainyard up starts the "
                    + "local stack; --scheduler-url and --results-url point elsewhere)", e);
        }
        return new ApiException(call, e.getClass().getSimpleName() + (e.getMessage() == null ? ""
                : ": " + e.getMessage()), e);
    }

    private static JsonNode json(HttpResponse<String> response) {
        String body = response.body();
        if (body == null || body.isBlank()) {
            return JSON.nullNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new ApiException(response.request().method() + " " + response.request().uri(),
                    "the answer is not JSON: " + (body.length() > 200 ? body.substring(0, 200) + "..." : body), e);
        }
    }
}
