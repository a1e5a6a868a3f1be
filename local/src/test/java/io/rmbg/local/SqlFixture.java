package io.rmbg.local;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.records.BlobRef;
import io.rmbg.core.records.JobResult;
import io.rmbg.core.records.JobResultJson;
import io.rmbg.core.records.JobStatus;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.job.sinks.JobRowStatement;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Three days of jobs whose statistics are worked out by hand in {@link SqlScriptsITCase}: written
 * as rows the way the job's sink writes them, as traces on {@code image-results}, and as the
 * matching {@code processing_stats} rows.
 *
 * <p>The days are the UTC day before yesterday, yesterday and today, so that {@code last_24h.sql}
 * sees exactly today's jobs: yesterday's jobs lie in its first seconds, today's in its last hour
 * (later than now: the query has no upper bound). So "24 hours ago" falls between them from 5 s
 * after midnight until tomorrow evening, and a test that runs across midnight still passes; {@link
 * #awaitSafeTime()} keeps it out of the first seconds of a day.
 */
final class SqlFixture {
    /** Today, UTC. */
    static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);

    static final LocalDate YESTERDAY = TODAY.minusDays(1);
    static final LocalDate DAY_BEFORE = TODAY.minusDays(2);

    private static final BlobRef BLOB =
            new BlobRef("s3://rmbg/original/ab.png", "ab", 2048, 10, 10, "image/png");

    /**
     * One job: its day, the second (earlier days) or minute (today) it was created, its outcome.
     */
    record Job(
            String id,
            String user,
            JobStatus status,
            ErrorCode error,
            long ms,
            LocalDateTime createdAt) {
        JobResult result() {
            long created = createdAt.toInstant(ZoneOffset.UTC).toEpochMilli();
            boolean completed = status == JobStatus.COMPLETED;
            JobResult.Builder result =
                    JobResult.builder(id, user, status)
                            .params(null, new String[0])
                            .times(created, created + ms, ms);
            if (error != null) {
                result.failure(error, "failed: " + error);
            }
            return completed
                    ? result.original(BLOB)
                            .mask(BLOB)
                            .processed(BLOB)
                            .size(10, 10)
                            .fileSizeKb(2)
                            .model("rmbg-2.0", null)
                            .build()
                    : result.originalPath("s3://rmbg/uploads/" + id + ".jpg").build();
        }

        boolean finished() {
            return status == JobStatus.COMPLETED || status == JobStatus.FAILED;
        }
    }

    final List<Job> jobs = new ArrayList<>();

    SqlFixture() {
        // The day before yesterday: 11 finished jobs, 1 failed.
        completed(DAY_BEFORE, "alice", 100);
        completed(DAY_BEFORE, "alice", 200);
        completed(DAY_BEFORE, "bob", 300);
        failed(DAY_BEFORE, "bob", ErrorCode.SOURCE_NOT_FOUND, 20);
        for (int u = 1; u <= 7; u++) {
            completed(
                    DAY_BEFORE, "u" + u, 10 * u); // seven one-off users: only five make the top ten
        }
        // Yesterday: 5 finished jobs, 3 failed.
        completed(YESTERDAY, "alice", 150);
        completed(YESTERDAY, "carol", 250);
        failed(YESTERDAY, "carol", ErrorCode.IMAGE_DECODE, 30);
        failed(YESTERDAY, "carol", ErrorCode.IMAGE_DECODE, 40);
        failed(YESTERDAY, "dave", ErrorCode.SOURCE_NOT_FOUND, 5);
        // Today: 6 finished jobs, 1 failed, and one still processing (in no statistic but
        // last_24h's).
        completed(TODAY, "alice", 100);
        completed(TODAY, "alice", 110);
        completed(TODAY, "alice", 400);
        completed(TODAY, "bob", 1000);
        failed(TODAY, "carol", ErrorCode.INFERENCE_TIMEOUT, 120_000);
        completed(TODAY, "erin", 90);
        add(TODAY, "frank", JobStatus.PROCESSING, null, 0);
    }

    /**
     * processing_stats as the job keeps it: stat_date, total, completed, failed, avg ms, error
     * rate.
     */
    static final List<Object[]> STATS =
            List.of(
                    new Object[] {DAY_BEFORE, 11, 10, 1, "88.00", "9.09"},
                    new Object[] {YESTERDAY, 5, 2, 3, "200.00", "60.00"},
                    new Object[] {TODAY, 6, 5, 1, "340.00", "16.67"});

    /**
     * Today's jobs are created at 23:01, 23:02, …; earlier days' at second 1, 2, … after midnight.
     */
    static LocalDateTime at(LocalDate day, int nth) {
        return day.equals(TODAY)
                ? day.atStartOfDay().plusHours(23).plusMinutes(nth)
                : day.atStartOfDay().plusSeconds(nth);
    }

    Job job(String user, LocalDate day, long ms) {
        return jobs.stream()
                .filter(
                        j ->
                                j.user.equals(user)
                                        && j.createdAt.toLocalDate().equals(day)
                                        && j.ms == ms)
                .findFirst()
                .orElseThrow();
    }

    /**
     * Waits while "24 hours ago" still falls among yesterday's jobs (the first seconds of a UTC
     * day).
     */
    static void awaitSafeTime() throws InterruptedException {
        Instant safe = TODAY.atStartOfDay().toInstant(ZoneOffset.UTC).plusSeconds(30);
        long wait = Duration.between(Instant.now(), safe).toMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }

    void writeRows(PipelineConfig config) throws Exception {
        try (Connection c = new StackQueries(config).connect();
                PreparedStatement ps = c.prepareStatement(JobRowStatement.SQL)) {
            JobRowStatement statement = new JobRowStatement();
            for (Job j : jobs) {
                statement.accept(ps, j.result());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    void writeStats(PipelineConfig config) throws Exception {
        String sql =
                "INSERT INTO processing_stats (stat_date, total_jobs, completed_jobs, failed_jobs,"
                        + " avg_processing_time_ms, error_rate, updated_at) VALUES (?, ?, ?, ?, ?::numeric, ?::numeric, now())";
        try (Connection c = new StackQueries(config).connect();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (Object[] s : STATS) {
                ps.setDate(1, Date.valueOf((LocalDate) s[0]));
                ps.setInt(2, (Integer) s[1]);
                ps.setInt(3, (Integer) s[2]);
                ps.setInt(4, (Integer) s[3]);
                ps.setString(5, (String) s[4]);
                ps.setString(6, (String) s[5]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Every finished job's trace, keyed by job id; {@code resent}'s twice (traces are
     * at-least-once).
     */
    void sendTraces(PipelineConfig config, Job resent) throws Exception {
        String topic = config.get(ConfigKeys.KAFKA_TOPIC_RESULTS);
        try (EventProducer producer =
                new EventProducer(
                        config.get(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS),
                        Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            List<Job> traces = new ArrayList<>(jobs.stream().filter(Job::finished).toList());
            traces.add(resent);
            for (Job j : traces) {
                producer.sendAsync(
                        new ProducerRecord<>(
                                topic, j.id.getBytes(UTF_8), JobResultJson.toBytes(j.result())));
            }
            producer.flush();
        }
    }

    private void completed(LocalDate day, String user, long ms) {
        add(day, user, JobStatus.COMPLETED, null, ms);
    }

    private void failed(LocalDate day, String user, ErrorCode error, long ms) {
        add(day, user, JobStatus.FAILED, error, ms);
    }

    private void add(LocalDate day, String user, JobStatus status, ErrorCode error, long ms) {
        long nth = jobs.stream().filter(j -> j.createdAt.toLocalDate().equals(day)).count() + 1;
        jobs.add(
                new Job(UUID.randomUUID().toString(), user, status, error, ms, at(day, (int) nth)));
    }

    /** Truncated like the scripts' {@code CAST(… AS TIMESTAMP(0))}. */
    static LocalDateTime seconds(LocalDateTime t) {
        return t.truncatedTo(ChronoUnit.SECONDS);
    }
}
