package io.trainyard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;

/** A call of a trainyard API that failed: the service answered an error, or could not be reached. */
final class ApiException extends RuntimeException {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String call;
    private final int status;
    private final String body;
    private final boolean tokenSent;

    /**
     * The service answered {@code status} with {@code body} (an RFC 7807 problem, usually); {@code tokenSent} says
     * whether the call carried a bearer token, for the hint after a 401.
     */
    ApiException(String call, int status, String body, boolean tokenSent) {
        super(call + " answered " + status);
        this.call = call;
        this.status = status;
        this.body = body;
        this.tokenSent = tokenSent;
    }

    /** The service could not be reached. */
    ApiException(String call, String reason, Throwable cause) {
        super(call + ": " + reason, cause);
        this.call = call;
        this.status = 0;
        this.body = reason;
        this.tokenSent = false;
    }

    int status() {
        return status;
    }

    /**
     * Prints the error for a person: the call, the status and title, the detail, and each violation on a line of its
     * own. A body that is not a problem is printed as it is (cut short).
     */
    void print(PrintWriter err) {
        if (status == 0) {
            err.println("error: " + call + ": " + body);
            return;
        }
        printProblem(err);
        if (status == 401) {
            // the server's detail speaks of HTTP headers; say how this command sends a token
            err.println(tokenSent
                    ? "hint: the token was refused (expired, or not signed for this stack): get a new one with "
                            + "bin/trainyard token USER ROLE and pass it with --token TOKEN or TRAINYARD_TOKEN"
                    : "hint: no token was sent: get one with bin/trainyard token USER ROLE (ROLE: admin, researcher "
                            + "or viewer) and pass it with --token TOKEN, or export TRAINYARD_TOKEN=$(bin/trainyard "
                            + "token USER ROLE)");
        }
    }

    private void printProblem(PrintWriter err) {
        JsonNode problem = parse(body);
        if (problem == null || !problem.isObject()) {
            String text = body == null || body.isBlank() ? "(no body)" : body.strip();
            err.println("error: " + call + " answered HTTP " + status + ": "
                    + (text.length() > 2000 ? text.substring(0, 2000) + "..." : text));
            return;
        }
        String title = problem.path("title").asText("");
        err.println("error: " + call + " answered HTTP " + status + (title.isEmpty() ? "" : " " + title));
        JsonNode violations = problem.path("violations");
        String detail = problem.path("detail").asText("");
        boolean each = violations.size() > 1 || detail.isEmpty();
        if (!each) {
            err.println("  " + detail);
        }
        if (each) {
            for (JsonNode violation : violations) {
                err.println("  - " + violation.path("field").asText("?") + ": "
                        + violation.path("message").asText(""));
            }
        }
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            return null;
        }
    }
}
