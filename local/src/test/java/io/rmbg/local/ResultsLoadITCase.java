package io.rmbg.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rmbg.service.ResultsService;
import io.rmbg.service.ServiceConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bounded local load test of the results API: 2 000 requests from 8 threads (half job-by-id, half
 * first pages of history, over 40 users with 25 jobs each), once with Redis and once without.
 * Prints p50/p99 latency, requests per second and the cache hit ratio, and appends them to
 * target/results-load.txt.
 */
class ResultsLoadITCase {
    static final int REQUESTS = 2000;
    static final int THREADS = 8;
    static final int USERS = 40;
    static final int JOBS_PER_USER = 25;

    @TempDir static Path dir;
    private static ServiceStack stack;
    private static final List<String> tokens = new ArrayList<>();
    private static final List<List<String>> jobs = new ArrayList<>();
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        stack = ServiceStack.start(dir);
        Instant now = Instant.now();
        for (int u = 0; u < USERS; u++) {
            tokens.add(stack.token("load" + u, false));
            List<String> own = new ArrayList<>();
            for (int j = 0; j < JOBS_PER_USER; j++) {
                own.add(
                        stack.unfinished(
                                "load" + u,
                                now.minusSeconds(j * 60L),
                                io.rmbg.core.records.JobStatus.FAILED,
                                "t" + (j % 5)));
            }
            jobs.add(own);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    record Figures(double p50, double p99, double rps, double hitRatio) {}

    static Figures run(ResultsService s) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().executor(Executors.newFixedThreadPool(THREADS)).build();
        long[] nanos = new long[REQUESTS];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        JsonNode before = JSON.readTree(stack.get(s, null, "/api/health").body()).get("cache");
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        long start = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int seed = t;
            done.add(
                    pool.submit(
                            () -> {
                                Random random = new Random(seed);
                                int i;
                                while ((i = next.getAndIncrement()) < REQUESTS) {
                                    int u = random.nextInt(USERS);
                                    String path =
                                            i % 2 == 0
                                                    ? "api/jobs/"
                                                            + jobs.get(u)
                                                                    .get(
                                                                            random.nextInt(
                                                                                    JOBS_PER_USER))
                                                    : "api/jobs?limit=24";
                                    HttpRequest req =
                                            HttpRequest.newBuilder(URI.create(s.url() + path))
                                                    .header(
                                                            "Authorization",
                                                            "Bearer " + tokens.get(u))
                                                    .build();
                                    long t0 = System.nanoTime();
                                    try {
                                        HttpResponse<byte[]> r =
                                                http.send(
                                                        req,
                                                        HttpResponse.BodyHandlers.ofByteArray());
                                        if (r.statusCode() != 200) {
                                            failures.incrementAndGet();
                                        }
                                    } catch (Exception e) {
                                        failures.incrementAndGet();
                                    }
                                    nanos[i] = System.nanoTime() - t0;
                                }
                                return null;
                            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        assertThat(failures.get()).isZero();
        Arrays.sort(nanos);
        JsonNode after = JSON.readTree(stack.get(s, null, "/api/health").body()).get("cache");
        long hits = after.get("hits").asLong() - before.get("hits").asLong();
        long misses = after.get("misses").asLong() - before.get("misses").asLong();
        long bypassed = after.get("bypassed").asLong() - before.get("bypassed").asLong();
        long lookups = hits + misses + bypassed;
        return new Figures(
                nanos[REQUESTS / 2] / 1e6,
                nanos[(int) (REQUESTS * 0.99)] / 1e6,
                REQUESTS / seconds,
                lookups == 0 ? 0 : (double) hits / lookups);
    }

    @Test
    void withAndWithoutRedis() throws Exception {
        ServiceConfig noRedis = stack.config.withRedis(null, 0);
        Figures warmup;
        Figures without;
        Figures with;
        try (ResultsService s = ResultsService.start(noRedis)) {
            warmup = run(s); // JIT, connection pool, PostgreSQL's buffers
            without = run(s);
        }
        with = run(stack.service);
        String report =
                String.format(
                        "results API, %d requests, %d threads, %d users x %d jobs (half job-by-id, half first pages)%n"
                                + "  without Redis: p50 %.2f ms, p99 %.2f ms, %.0f req/s, hit ratio %.2f%n"
                                + "  with Redis:    p50 %.2f ms, p99 %.2f ms, %.0f req/s, hit ratio %.2f%n",
                        REQUESTS,
                        THREADS,
                        USERS,
                        JOBS_PER_USER,
                        without.p50(),
                        without.p99(),
                        without.rps(),
                        without.hitRatio(),
                        with.p50(),
                        with.p99(),
                        with.rps(),
                        with.hitRatio());
        System.out.print(report);
        Path out = Path.of("target", "results-load.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        assertThat(warmup.rps()).isPositive();
        assertThat(without.hitRatio()).isZero();
        // 40 users' first pages and 1 000 jobs: after the first touch of each, hits.
        assertThat(with.hitRatio()).isGreaterThan(0.5);
    }
}
