package io.rmbg.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rmbg.core.records.JobStatus;
import io.rmbg.service.ResultsService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/** The results API on real parts: access control, pagination, filters, the Redis tier. */
class ResultsServiceITCase {
    @TempDir static Path dir;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static ServiceStack stack;
    private static String alice;
    private static String bob;
    private static String admin;
    private static String aliceJob;

    @BeforeAll
    static void start() throws Exception {
        stack = ServiceStack.start(dir);
        alice = stack.token("alice", false);
        bob = stack.token("bob", false);
        admin = stack.token("ops", true);
        aliceJob =
                stack.completed(
                        "alice", NOW.minusSeconds(60), "{\"threshold\":0.9}", "cat", "portrait");
        stack.completed("alice", NOW.minusSeconds(120), "{\"threshold\":0.5}", "dog");
        stack.unfinished("alice", NOW.minusSeconds(180), JobStatus.FAILED, "cat");
        stack.completed("bob", NOW.minusSeconds(30), null, "car");
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static List<String> ids(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.get("jobs").forEach(j -> out.add(j.get("job_id").asText()));
        return out;
    }

    @Test
    void everyRequestNeedsAKnownToken() throws Exception {
        assertThat(stack.get(null, "/api/jobs").statusCode()).isEqualTo(401);
        assertThat(stack.get("rmbg_not-a-token", "/api/jobs").statusCode()).isEqualTo(401);
        assertThat(stack.get(null, "/api/jobs/" + aliceJob + "/cutout").statusCode())
                .isEqualTo(401);
        assertThat(stack.get(null, "/api/health").statusCode()).isEqualTo(200);
    }

    @Test
    void aUserSeesOnlyTheirOwnJobsBlobsAndCursors() throws Exception {
        HttpResponse<String> own = stack.get(alice, "/api/jobs/" + aliceJob);
        assertThat(own.statusCode()).isEqualTo(200);
        JsonNode job = json(own);
        assertThat(job.get("user_id").asText()).isEqualTo("alice");
        assertThat(job.get("tags")).extracting(JsonNode::asText).containsExactly("cat", "portrait");
        assertThat(job.get("params").get("threshold").asDouble()).isEqualTo(0.9);
        assertThat(job.get("blobs").get("cutout").get("content_type").asText())
                .isEqualTo("image/png");

        // Bob probing Alice's job, its blobs: the same 404 as an id that does not exist.
        HttpResponse<String> probe = stack.get(bob, "/api/jobs/" + aliceJob);
        assertThat(probe.statusCode()).isEqualTo(404);
        assertThat(probe.body())
                .isEqualTo(
                        stack.get(bob, "/api/jobs/" + java.util.UUID.randomUUID())
                                .body()
                                .replaceAll("[0-9a-f-]{36}", aliceJob));
        for (String what : List.of("original", "mask", "cutout")) {
            assertThat(stack.get(bob, "/api/jobs/" + aliceJob + "/" + what).statusCode())
                    .isEqualTo(404);
        }
        // Bob's history never shows Alice's; "user=" is ignored for non-admins.
        assertThat(ids(json(stack.get(bob, "/api/jobs?user=alice"))))
                .hasSize(1)
                .doesNotContain(aliceJob);
        // Alice's cursor is useless to Bob, and a tampered one is refused.
        String cursor = json(stack.get(alice, "/api/jobs?limit=1")).get("next_cursor").asText();
        assertThat(stack.get(alice, "/api/jobs?limit=1&cursor=" + cursor).statusCode())
                .isEqualTo(200);
        assertThat(stack.get(bob, "/api/jobs?limit=1&cursor=" + cursor).statusCode())
                .isEqualTo(400);
        String tampered = (cursor.charAt(0) == 'A' ? 'B' : 'A') + cursor.substring(1);
        assertThat(stack.get(alice, "/api/jobs?limit=1&cursor=" + tampered).statusCode())
                .isEqualTo(400);
        // A cursor is bound to its filters too.
        assertThat(
                        stack.get(alice, "/api/jobs?limit=1&status=failed&cursor=" + cursor)
                                .statusCode())
                .isEqualTo(400);
        // Statistics are for admins only; an admin sees everyone's jobs.
        assertThat(stack.get(alice, "/api/stats").statusCode()).isEqualTo(403);
        assertThat(stack.get(admin, "/api/stats").statusCode()).isEqualTo(200);
        assertThat(stack.get(admin, "/api/jobs/" + aliceJob).statusCode()).isEqualTo(200);
        assertThat(ids(json(stack.get(admin, "/api/jobs?user=alice")))).contains(aliceJob);
    }

    @Test
    void blobsStreamWithTheirContentType() throws Exception {
        HttpResponse<byte[]> cutout = stack.getBytes(alice, "/api/jobs/" + aliceJob + "/cutout");
        assertThat(cutout.statusCode()).isEqualTo(200);
        assertThat(cutout.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(
                        javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(cutout.body()))
                                .getColorModel()
                                .hasAlpha())
                .isTrue();
        HttpResponse<byte[]> original =
                stack.getBytes(alice, "/api/jobs/" + aliceJob + "/original");
        assertThat(original.headers().firstValue("Content-Type")).hasValue("image/jpeg");
        assertThat(original.body()).startsWith((byte) 0xff, (byte) 0xd8);
    }

    @Test
    void pagesNeitherRepeatNorSkipWhileJobsArrive() throws Exception {
        String pager = stack.token("pager", false);
        Set<String> before = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            // Pairs share a created_at: the job_id breaks the tie.
            before.add(stack.completed("pager", NOW.minusSeconds(1000 + (i / 2)), null, "p"));
        }
        List<String> seen = new ArrayList<>();
        Set<String> olderArrivals = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            HttpResponse<String> r =
                    stack.get(
                            pager,
                            "/api/jobs?limit=7" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode page = json(r);
            seen.addAll(ids(page));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
            // While paging: a job newer than everything (belongs before the pages already read),
            // and one older than everything (must show up on a later page).
            stack.completed("pager", NOW, null, "p");
            if (pages < 3) {
                olderArrivals.add(
                        stack.completed("pager", NOW.minusSeconds(5000 + pages), null, "p"));
            }
            pages++;
        } while (cursor != null);
        assertThat(seen).doesNotHaveDuplicates();
        Set<String> expected = new HashSet<>(before);
        expected.addAll(olderArrivals);
        assertThat(new HashSet<>(seen)).isEqualTo(expected);
        assertThat(pages).isGreaterThanOrEqualTo(7);
    }

    @Test
    void filtersByStatusTimeTagsAndParams() throws Exception {
        assertThat(ids(json(stack.get(alice, "/api/jobs?status=failed")))).hasSize(1);
        assertThat(ids(json(stack.get(alice, "/api/jobs?tag=cat")))).hasSize(2).contains(aliceJob);
        assertThat(ids(json(stack.get(alice, "/api/jobs?tag_like=portrat"))))
                .containsExactly(aliceJob);
        assertThat(ids(json(stack.get(alice, "/api/jobs?tag=portrat")))).isEmpty();
        String params = URLEncoder.encode("{\"threshold\":0.9}", UTF_8);
        assertThat(ids(json(stack.get(alice, "/api/jobs?params=" + params))))
                .containsExactly(aliceJob);
        String from = NOW.minusSeconds(90).toString();
        String to = NOW.minusSeconds(30).toString();
        assertThat(ids(json(stack.get(alice, "/api/jobs?from=" + from + "&to=" + to))))
                .containsExactly(aliceJob);
        assertThat(stack.get(alice, "/api/jobs?status=done").statusCode()).isEqualTo(400);
        assertThat(stack.get(alice, "/api/jobs?params=%7Bnope").statusCode()).isEqualTo(400);
    }

    @Test
    void redisServesRepeatsAndForgetsAJobThatChanged() throws Exception {
        String carol = stack.token("carol", false);
        String job = stack.completed("carol", NOW.minusSeconds(10), null, "x");
        long hits = health().get("cache").get("hits").asLong();
        stack.get(carol, "/api/jobs/" + job);
        stack.get(carol, "/api/jobs");
        assertThat(stack.get(carol, "/api/jobs/" + job).statusCode()).isEqualTo(200);
        assertThat(ids(json(stack.get(carol, "/api/jobs")))).containsExactly(job);
        assertThat(health().get("cache").get("hits").asLong()).isGreaterThanOrEqualTo(hits + 2);

        // A new job and a changed row (a replay's failure replacing the result) reach the
        // cached first page and the cached job through the row trigger's notification.
        String fresh = stack.unfinished("carol", NOW, JobStatus.PROCESSING);
        try (Connection c = stack.connect();
                Statement s = c.createStatement()) {
            s.executeUpdate(
                    "UPDATE image_process_jobs SET status = 'failed', error_code = 'INFERENCE'"
                            + " WHERE job_id = '"
                            + job
                            + "'");
        }
        long deadline = System.currentTimeMillis() + 5000;
        List<String> page;
        String status;
        do {
            Thread.sleep(50);
            page = ids(json(stack.get(carol, "/api/jobs")));
            status = json(stack.get(carol, "/api/jobs/" + job)).get("status").asText();
        } while ((page.size() != 2 || !status.equals("failed"))
                && System.currentTimeMillis() < deadline);
        assertThat(page).containsExactly(fresh, job);
        assertThat(status).isEqualTo("failed");
    }

    @Test
    void withoutRedisTheServiceStillAnswers() throws Exception {
        RedisServer own = RedisServer.start(0, dir.resolve("redis-outage"));
        try (ResultsService s =
                ResultsService.start(stack.config.withRedis("127.0.0.1", own.port()))) {
            assertThat(stack.get(s, alice, "/api/jobs/" + aliceJob).statusCode()).isEqualTo(200);
            own.close();
            for (int i = 0; i < 5; i++) {
                assertThat(stack.get(s, alice, "/api/jobs/" + aliceJob).statusCode())
                        .isEqualTo(200);
                assertThat(stack.get(s, alice, "/api/jobs").statusCode()).isEqualTo(200);
            }
            JsonNode h = JSON.readTree(stack.get(s, null, "/api/health").body());
            assertThat(h.get("status").asText()).isEqualTo("ok");
            assertThat(h.get("redis").asText()).isEqualTo("down");
            assertThat(h.get("cache").get("errors").asLong()).isPositive();
            assertThat(h.get("cache").get("bypassed").asLong()).isPositive();
        } finally {
            own.close();
        }
    }

    @Test
    void everyDocumentedPathAnswersAsTheOpenApiFileSays() throws Exception {
        OpenApiConformance api = new OpenApiConformance();
        HttpResponse<String> served = stack.get(null, "/api/openapi.yaml");
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(api.spec)
                .isEqualTo(
                        new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                                .readTree(served.body()));
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (String path : api.paths()) {
            String real = path.replace("{job_id}", aliceJob);
            HttpResponse<String> ok = stack.get(admin, real);
            boolean isJson =
                    ok.headers()
                            .firstValue("Content-Type")
                            .orElse("")
                            .startsWith("application/json");
            problems.addAll(api.check(path, ok.statusCode(), isJson ? json(ok) : null));
            assertThat(ok.statusCode()).as(path).isEqualTo(200);
            checked++;
            if (api.secured(path)) {
                HttpResponse<String> anon = stack.get(null, real);
                problems.addAll(api.check(path, anon.statusCode(), json(anon)));
                assertThat(anon.statusCode()).as(path).isEqualTo(401);
            }
            if (path.startsWith("/api/jobs/")) {
                HttpResponse<String> other = stack.get(bob, real);
                problems.addAll(api.check(path, other.statusCode(), json(other)));
                assertThat(other.statusCode()).as(path).isEqualTo(404);
            }
        }
        // A page with filters and a cursor, a failed job with null blobs, errors.
        HttpResponse<String> page = stack.get(alice, "/api/jobs?limit=1");
        problems.addAll(api.check("/api/jobs", 200, json(page)));
        String cursor = json(page).get("next_cursor").asText();
        problems.addAll(
                api.check(
                        "/api/jobs",
                        200,
                        json(stack.get(alice, "/api/jobs?limit=1&cursor=" + cursor))));
        problems.addAll(
                api.check("/api/jobs", 200, json(stack.get(alice, "/api/jobs?status=failed"))));
        problems.addAll(api.check("/api/jobs", 400, json(stack.get(alice, "/api/jobs?limit=0"))));
        problems.addAll(api.check("/api/stats", 403, json(stack.get(alice, "/api/stats"))));
        assertThat(problems).isEmpty();
        assertThat(checked).isEqualTo(api.paths().size()).isGreaterThanOrEqualTo(9);
    }

    private static JsonNode health() throws Exception {
        return json(stack.get(null, "/api/health"));
    }
}
