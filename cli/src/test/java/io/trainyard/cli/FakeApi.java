package io.trainyard.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for the scheduler's and results service's REST APIs in CLI tests: the JDK's HTTP server answering each
 * "METHOD /path" with the answers a test queued (the last one repeats), and recording every request.
 */
final class FakeApi implements AutoCloseable {

    /** A request as the server saw it. */
    record Request(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {

        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** An answer: status, content type, body. */
    record Answer(int status, String contentType, String body) {
    }

    private final HttpServer server;
    private final Map<String, Deque<Answer>> answers = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    FakeApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Queues answers to {@code "METHOD /path"} (without the query); the last one is repeated. */
    FakeApi on(String route, Answer... queued) {
        answers.computeIfAbsent(route, r -> new ArrayDeque<>()).addAll(List.of(queued));
        return this;
    }

    /** Replaces the answers to {@code "METHOD /path"}. */
    FakeApi replace(String route, Answer... queued) {
        answers.put(route, new ArrayDeque<>(List.of(queued)));
        return this;
    }

    static Answer json(int status, String body) {
        return new Answer(status, "application/json", body);
    }

    static Answer problem(int status, String body) {
        return new Answer(status, "application/problem+json", body);
    }

    List<Request> requests() {
        return requests;
    }

    List<Request> requests(String method, String path) {
        return requests.stream().filter(r -> r.method().equals(method) && r.path().equals(path)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            requests.add(new Request(exchange.getRequestMethod(), path, exchange.getRequestURI().getRawQuery(),
                    Map.copyOf(exchange.getRequestHeaders()), body));
            Deque<Answer> queued = answers.get(exchange.getRequestMethod() + " " + path);
            Answer answer;
            if (queued == null || queued.isEmpty()) {
                answer = problem(404, "{\"status\":404,\"title\":\"Not found\",\"detail\":\"nothing at " + path
                        + "\"}");
            } else {
                synchronized (queued) {
                    answer = queued.size() > 1 ? queued.poll() : queued.peek();
                }
            }
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", answer.contentType());
            exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
