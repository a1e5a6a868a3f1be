package io.rmbg.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads a job's operator metrics through Flink's REST API, the way the web UI does. */
final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private final String jobId;

    FlinkRest(String webInterfaceUrl, String jobId) {
        this.base =
                webInterfaceUrl.endsWith("/")
                        ? webInterfaceUrl.substring(0, webInterfaceUrl.length() - 1)
                        : webInterfaceUrl;
        this.jobId = jobId;
    }

    /** Metric ids of the job vertex whose name contains {@code operator}. */
    List<String> metricIds(String operator) throws Exception {
        List<String> ids = new ArrayList<>();
        for (JsonNode m :
                get("/jobs/" + jobId + "/vertices/" + vertex(operator) + "/subtasks/metrics")) {
            ids.add(m.get("id").asText());
        }
        return ids;
    }

    /** The sum over subtasks of the metric whose id ends with {@code "." + name}. */
    long counter(String operator, String name) throws Exception {
        String vertex = vertex(operator);
        String id =
                metricIds(operator).stream()
                        .filter(m -> m.endsWith("." + name))
                        .findFirst()
                        .orElseThrow(
                                () -> new AssertionError("no metric " + name + " on " + operator));
        JsonNode values =
                get(
                        "/jobs/"
                                + jobId
                                + "/vertices/"
                                + vertex
                                + "/subtasks/metrics?get="
                                + java.net.URLEncoder.encode(
                                        id, java.nio.charset.StandardCharsets.UTF_8));
        return values.get(0).get("sum").asLong();
    }

    /** Waits until {@link #counter} reaches {@code atLeast}. */
    void awaitCounter(String operator, String name, long atLeast, Duration timeout)
            throws Exception {
        Poll.until(
                timeout,
                Duration.ofMillis(500),
                () -> {
                    try {
                        return counter(operator, name);
                    } catch (AssertionError notYetRegistered) {
                        return -1L; // metrics appear once the operator has run
                    }
                },
                seen -> seen >= atLeast,
                seen -> name + " on " + operator + " stayed at " + seen + ", expected " + atLeast);
    }

    /**
     * How often the job has failed over so far: the root entries of its exception history (one per
     * restart; failures merged into the same restart are listed under it, not counted again).
     */
    int failovers() throws Exception {
        JsonNode history =
                get("/jobs/" + jobId + "/exceptions?maxExceptions=1000").get("exceptionHistory");
        if (history.get("truncated").asBoolean()) {
            throw new AssertionError(
                    "exception history truncated: raise web.exception-history-size");
        }
        return history.get("entries").size();
    }

    /** Completed and failed checkpoints so far, as the web UI's checkpoint tab counts them. */
    Checkpoints checkpoints() throws Exception {
        JsonNode counts = get("/jobs/" + jobId + "/checkpoints").get("counts");
        return new Checkpoints(counts.get("completed").asLong(), counts.get("failed").asLong());
    }

    record Checkpoints(long completed, long failed) {}

    String jobId() {
        return jobId;
    }

    /** The body of a REST GET, as text. */
    String raw(String path) throws Exception {
        return get(path).toString();
    }

    private String vertex(String operator) throws Exception {
        for (JsonNode v : get("/jobs/" + jobId).get("vertices")) {
            if (v.get("name").asText().contains(operator)) {
                return v.get("id").asText();
            }
        }
        throw new AssertionError("no vertex named like " + operator);
    }

    JsonNode get(String path) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(base + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(
                    "GET " + path + " → " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }
}
