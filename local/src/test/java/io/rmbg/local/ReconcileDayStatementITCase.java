package io.rmbg.local;

import io.rmbg.job.sinks.ReconcileDayStatement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Recomputing a day from the rows, on a real PostgreSQL, gives README's recomputation exactly. */
class ReconcileDayStatementITCase {
    private static final LocalDate DAY = LocalDate.of(2026, 1, 15);
    @TempDir static Path dir;
    private static LocalPostgres pg;
    private static StackQueries db;

    @BeforeAll
    static void start() throws Exception {
        pg = LocalPostgres.start(dir.resolve("pg"), 0, "rmbg", "rmbg", LocalStack.schemaSql());
        db = StackQueries.of(pg);
    }

    @AfterAll
    static void stop() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void aDayRecomputedFromTheRowsEqualsTheRecomputationAndDropsCodesItNoLongerHas()
            throws Exception {
        String noon = DAY + "T12:00:00Z";
        row("completed", null, noon, noon, 1200);
        row("completed", null, DAY + "T00:00:00Z", DAY + "T00:00:01Z", 401);
        row("failed", "STORAGE", DAY + "T23:59:59Z", DAY.plusDays(1) + "T00:00:09Z", 77);
        // Dated next year but processed on DAY: it counts on DAY (completion + skew).
        row("failed", "IMAGE_DECODE", "2027-06-01T00:00:00Z", DAY + "T08:00:00Z", 5);
        // Other days, and a job that never finished, do not count.
        row("completed", null, DAY.minusDays(1) + "T23:59:59Z", noon, 9);
        row("completed", null, DAY.plusDays(1) + "T00:00:00Z", DAY.plusDays(1) + "T00:00:02Z", 9);
        row("processing", null, noon, null, 0);
        // What the windows had written before: wrong totals and a code the rows no longer have.
        db.execute(
                "INSERT INTO processing_stats VALUES ('" + DAY + "', 9, 9, 0.00, 0.00, 0, now())");
        db.execute(
                "INSERT INTO processing_error_stats VALUES ('" + DAY + "', 'INFERENCE', 3, now())");

        reconcile(DAY.toEpochDay());

        assertThat(
                        db
                                .column(
                                        StatsRecomputation.asText(
                                                StatsRecomputation.DAILY_STATS + ""))
                                .stream()
                                .filter(r -> r.startsWith("(" + DAY))
                                .toList())
                .containsExactly("(" + DAY + ",4,2,2,800.50,50.00)");
        assertThat(db.column(StatsRecomputation.asText(StatsRecomputation.ERROR_STATS)))
                .containsExactly("(" + DAY + ",IMAGE_DECODE,1)", "(" + DAY + ",STORAGE,1)");
        assertThat(
                        db.column(StatsRecomputation.asText(StatsRecomputation.DAILY)).stream()
                                .filter(r -> r.startsWith("(" + DAY))
                                .toList())
                .containsExactly("(" + DAY + ",4,2,2,800.50,50.00)");

        reconcile(DAY.toEpochDay()); // idempotent
        assertThat(db.column(StatsRecomputation.asText(StatsRecomputation.ERROR_STATS)))
                .containsExactly("(" + DAY + ",IMAGE_DECODE,1)", "(" + DAY + ",STORAGE,1)");
    }

    @Test
    void aDayWithoutFinishedJobsGetsNoRow() throws Exception {
        LocalDate empty = LocalDate.of(2025, 3, 3);
        reconcile(empty.toEpochDay());
        assertThat(
                        db.column(
                                "SELECT count(*) FROM processing_stats WHERE stat_date = '"
                                        + empty
                                        + "'"))
                .containsExactly("0");
    }

    private static void reconcile(long epochDay) throws Exception {
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement(ReconcileDayStatement.SQL)) {
            new ReconcileDayStatement(ZoneOffset.UTC, Duration.ofMinutes(5)).accept(ps, epochDay);
            ps.executeUpdate();
        }
    }

    private static void row(
            String status, String code, String createdAt, String completedAt, int ms)
            throws Exception {
        db.execute(
                "INSERT INTO image_process_jobs (job_id, user_id, original_path, status, created_at,"
                        + " completed_at, processing_time_ms, error_code) VALUES ('"
                        + UUID.randomUUID()
                        + "', 'u',"
                        + " 'inline:', '"
                        + status
                        + "', '"
                        + createdAt
                        + "', "
                        + (completedAt == null ? "NULL" : "'" + completedAt + "'")
                        + ", "
                        + ms
                        + ", "
                        + (code == null ? "NULL" : "'" + code + "'")
                        + ")");
    }
}
