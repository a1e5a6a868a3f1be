package io.rmbg.ops;

import io.rmbg.local.LocalPostgres;
import io.rmbg.local.LocalStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Retention of job rows on a real PostgreSQL: exactly the rows past their age go. */
class RetentionITCase {
    private static final Instant NOW = Instant.now();
    private static final Instant SEVEN_MONTHS_AGO = NOW.minus(Duration.ofDays(210));
    private static final Instant FIVE_MONTHS_AGO = NOW.minus(Duration.ofDays(150));
    private static final Instant LAST_WEEK = NOW.minus(Duration.ofDays(7));

    @TempDir Path dir;
    private LocalPostgres pg;

    @BeforeEach
    void start() throws Exception {
        pg = LocalPostgres.start(dir.resolve("pg"), 0, "rmbg", "rmbg", LocalStack.schemaSql());
        execute(
                "INSERT INTO processing_stats (stat_date, total_jobs, completed_jobs, failed_jobs)"
                        + " VALUES (CURRENT_DATE - 210, 3, 2, 1)");
    }

    @AfterEach
    void stop() throws Exception {
        pg.close();
    }

    @Test
    void deletesExactlyTheRowsPastTheirStatusesAgeWithTheirTagLinks() throws Exception {
        List<String> old = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            old.add(job("completed", SEVEN_MONTHS_AGO.plusSeconds(i), "cat", "dog"));
        }
        old.add(job("failed", SEVEN_MONTHS_AGO, "cat"));
        String recentCompleted = job("completed", FIVE_MONTHS_AGO, "cat");
        String recentFailed = job("failed", LAST_WEEK);
        String oldProcessing = job("processing", SEVEN_MONTHS_AGO, "dog");
        String oldPending = job("pending", SEVEN_MONTHS_AGO);

        Retention.Report dry = retention(false, Retention.Options.defaultAges(), 2);
        assertThat(dry.pastAge()).containsEntry("completed", 5L).containsEntry("failed", 1L);
        assertThat(count("SELECT count(*) FROM image_process_jobs")).isEqualTo(10);

        Retention.Report r = retention(true, Retention.Options.defaultAges(), 2);
        assertThat(r.deleted()).containsEntry("completed", 5L).containsEntry("failed", 1L);
        assertThat(r.batches()).as("bounded batches of 2 rows").isGreaterThanOrEqualTo(4);
        assertThat(ids())
                .containsExactlyInAnyOrder(
                        recentCompleted, recentFailed, oldProcessing, oldPending);
        assertThat(count("SELECT count(*) FROM image_tags")).as("links of kept rows").isEqualTo(2);
        assertThat(count("SELECT count(*) FROM tags")).as("tags themselves stay").isEqualTo(2);
        assertThat(count("SELECT count(*) FROM processing_stats WHERE total_jobs = 3"))
                .as("statistics outlive the rows")
                .isEqualTo(1);

        Map<String, Duration> ages = Retention.Options.defaultAges();
        ages.put("processing", Duration.ofDays(180));
        retention(true, ages, 100);
        assertThat(ids()).containsExactlyInAnyOrder(recentCompleted, recentFailed, oldPending);
    }

    @Test
    void dropsWholeTheMonthsPastEveryAgeAndDeletesTheOtherOldRowsInBatches() throws Exception {
        Map<String, Duration> ages = allStatuses(Duration.ofDays(180));
        YearMonth nineMonthsAgo = YearMonth.now(ZoneOffset.UTC).minusMonths(9);
        Instant inOldMonth = nineMonthsAgo.atDay(10).atStartOfDay(ZoneOffset.UTC).toInstant();
        List<String> old = new ArrayList<>();
        for (String status : List.of("completed", "failed", "pending", "processing")) {
            old.add(job(status, inOldMonth, "cat"));
        }
        // Either side of the cut-off, so in one month: that partition cannot go whole.
        Instant cutoff = NOW.minus(Duration.ofDays(180));
        String pastAge = job("completed", cutoff.minusSeconds(60), "dog");
        String young = job("completed", cutoff.plusSeconds(60), "dog");
        String recent = job("failed", LAST_WEEK, "cat");
        String oldPartition = partitionName(nineMonthsAgo);

        Retention.Report dry = retention(false, ages, 100);
        assertThat(count("SELECT count(*) FROM image_process_jobs")).isEqualTo(7);
        assertThat(dry.pastAge().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(5);

        Retention.Report r = retention(true, ages, 1);
        assertThat(r.partitionsDropped()).containsExactly(oldPartition);
        assertThat(r.deleted())
                .containsEntry("completed", 2L)
                .containsEntry("failed", 1L)
                .containsEntry("pending", 1L)
                .containsEntry("processing", 1L);
        assertThat(ids()).containsExactlyInAnyOrder(young, recent).doesNotContain(pastAge);
        assertThat(count("SELECT count(*) FROM jobs_ids")).as("ids go with rows").isEqualTo(2);
        assertThat(count("SELECT count(*) FROM image_tags")).as("links of kept rows").isEqualTo(2);
        assertThat(count("SELECT count(*) FROM pg_class WHERE relname = '" + oldPartition + "'"))
                .isZero();
        assertThat(count("SELECT count(*) FROM processing_stats WHERE total_jobs = 3"))
                .as("statistics outlive the rows")
                .isEqualTo(1);
        assertThat(old).allSatisfy(id -> assertThat(ids()).doesNotContain(id));
    }

    @Test
    void aMonthHoldingAStatusWithoutAnAgeIsNotDroppedOnlyItsRowsPastAge() throws Exception {
        YearMonth nineMonthsAgo = YearMonth.now(ZoneOffset.UTC).minusMonths(9);
        Instant inOldMonth = nineMonthsAgo.atDay(10).atStartOfDay(ZoneOffset.UTC).toInstant();
        job("completed", inOldMonth);
        String processing = job("processing", inOldMonth);

        Retention.Report r = retention(true, Retention.Options.defaultAges(), 10);
        assertThat(r.partitionsDropped()).isEmpty();
        assertThat(r.deleted()).containsEntry("completed", 1L);
        assertThat(ids()).containsExactly(processing);
        assertThat(
                        count(
                                "SELECT count(*) FROM pg_class WHERE relname = '"
                                        + partitionName(nineMonthsAgo)
                                        + "'"))
                .as("moved out of DEFAULT into its month, kept")
                .isEqualTo(1);
    }

    @Test
    void aLateRowTheSinkIsWritingKeepsItsMonthFromBeingDropped() throws Exception {
        YearMonth nineMonthsAgo = YearMonth.now(ZoneOffset.UTC).minusMonths(9);
        Instant inOldMonth = nineMonthsAgo.atDay(10).atStartOfDay(ZoneOffset.UTC).toInstant();
        String completed = job("completed", inOldMonth);
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            s.execute("SELECT rmbg_create_partitions(3)"); // the month's partition, as maintain
        }
        String late = UUID.randomUUID().toString();
        try (Connection sink = connect()) {
            sink.setAutoCommit(false);
            try (Statement s = sink.createStatement()) {
                // A late job of that month, still processing, mid-upsert when retention runs.
                s.execute(
                        "WITH id AS (INSERT INTO jobs_ids VALUES ('"
                                + late
                                + "', 'u', '"
                                + inOldMonth
                                + "') RETURNING job_id, created_at)"
                                + " INSERT INTO image_process_jobs (job_id, user_id,"
                                + " original_path, status, created_at)"
                                + " SELECT job_id, 'u', 'inline:', 'processing', created_at FROM id");
            }
            long started = System.nanoTime();
            Retention.Report r = retention(true, Retention.Options.defaultAges(), 10);
            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .as("the drop waits at most its lock timeout")
                    .isLessThan(Duration.ofSeconds(15));
            assertThat(r.partitionsDropped()).isEmpty();
            sink.commit();
        }
        Retention.Report r = retention(true, Retention.Options.defaultAges(), 10);
        assertThat(r.partitionsDropped()).as("it holds a kept status now").isEmpty();
        assertThat(ids()).containsExactly(late).doesNotContain(completed);
    }

    @Test
    void aMaintenanceRunKeepsPartitionsThreeMonthsAheadAndReportsTheDrop() throws Exception {
        YearMonth old = YearMonth.now(ZoneOffset.UTC).minusMonths(9);
        job("completed", old.atDay(3).atStartOfDay(ZoneOffset.UTC).toInstant());
        execute("DROP TABLE " + partitionName(YearMonth.now(ZoneOffset.UTC).plusMonths(3)));
        String out = command("maintain --retention");
        assertThat(out)
                .contains("partitions: 2 created (months ahead: 3)")
                .contains("partition " + partitionName(old) + " would be dropped whole");
        out = command("maintain --retention --apply");
        assertThat(out)
                .contains("partitions: 0 created")
                .contains("partition " + partitionName(old) + " dropped whole");
        assertThat(count("SELECT count(*) FROM image_process_jobs")).isZero();
    }

    private static Map<String, Duration> allStatuses(Duration age) {
        Map<String, Duration> ages = new java.util.LinkedHashMap<>();
        for (String status : List.of("completed", "failed", "pending", "processing")) {
            ages.put(status, age);
        }
        return ages;
    }

    private static String partitionName(YearMonth month) {
        return String.format(
                "image_process_jobs_%04d_%02d", month.getYear(), month.getMonthValue());
    }

    @Test
    void aRowTheSinkHoldsIsSkippedNotWaitedFor() throws Exception {
        String held = job("completed", SEVEN_MONTHS_AGO);
        String free = job("completed", SEVEN_MONTHS_AGO.plusSeconds(1));
        try (Connection sink = connect()) {
            sink.setAutoCommit(false);
            try (Statement s = sink.createStatement()) {
                s.execute(
                        "UPDATE image_process_jobs SET error_message = 'upserting'"
                                + " WHERE job_id = '"
                                + held
                                + "'");
            }
            long started = System.nanoTime();
            retention(true, Retention.Options.defaultAges(), 10);
            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .isLessThan(Duration.ofSeconds(5));
            assertThat(ids()).containsExactly(held).doesNotContain(free);
            sink.commit();
        }
        retention(true, Retention.Options.defaultAges(), 10);
        assertThat(ids()).isEmpty();
    }

    @Test
    void agesShorterThanAMonthAreRefusedWithTheReason() {
        Map<String, Duration> ages = Retention.Options.defaultAges();
        ages.put("completed", Duration.ofDays(7));
        assertThatThrownBy(() -> new Retention.Options(true, ages, 10))
                .hasMessageContaining("at least 30 days")
                .hasMessageContaining("recomputes a day's statistics");
    }

    @Test
    void theCommandReportsThenDeletesAndVacuums() throws Exception {
        job("completed", SEVEN_MONTHS_AGO);
        job("failed", SEVEN_MONTHS_AGO);
        job("failed", FIVE_MONTHS_AGO);
        String out = command("maintain --retention --failed-days 120");
        assertThat(out)
                .contains("completed  older than  180 days: 1 rows")
                .contains("failed     older than  120 days: 2 rows")
                .contains("processing_stats and processing_error_stats are kept")
                .contains("dry run, pass --apply to delete");
        assertThat(count("SELECT count(*) FROM image_process_jobs")).isEqualTo(3);
        out = command("maintain --retention --apply --failed-days 120 --batch-rows 1");
        assertThat(out)
                .contains("1 rows, deleted 1")
                .contains("2 rows, deleted 2")
                .contains("VACUUM (ANALYZE) image_process_jobs, image_tags, jobs_ids done");
        assertThat(count("SELECT count(*) FROM image_process_jobs")).isZero();
    }

    @Test
    void reindexRebuildsEveryIndexOfTheJobTablesAndKeepsThemValid() throws Exception {
        job("completed", LAST_WEEK, "cat");
        long indexes =
                count(
                        "SELECT count(*) FROM pg_index WHERE indrelid IN"
                                + " ('image_process_jobs'::regclass, 'image_tags'::regclass)");
        String out = command("maintain --reindex");
        assertThat(out)
                .contains("reindex: image_process_jobs rebuilt concurrently")
                .contains("reindex: image_tags rebuilt concurrently");
        assertThat(
                        count(
                                "SELECT count(*) FROM pg_index WHERE indisvalid AND indrelid IN"
                                        + " ('image_process_jobs'::regclass, 'image_tags'::regclass)"))
                .isEqualTo(indexes)
                .isEqualTo(10); // the design's 7 and the primary key; image_tags' key and tag index
    }

    private String command(String args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        String[] argv = (args + " --jdbc.url " + pg.jdbcUrl()).split(" ");
        int rc =
                new OpsCommand(new PrintStream(bytes, true, StandardCharsets.UTF_8))
                        .run(argv, Map.of());
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(rc).as(out).isZero();
        return out;
    }

    private Retention.Report retention(boolean apply, Map<String, Duration> ages, int batch)
            throws Exception {
        try (Connection c = connect()) {
            return new Retention(c).run(new Retention.Options(apply, ages, batch), NOW);
        }
    }

    private String job(String status, Instant createdAt, String... tags) throws Exception {
        String id = UUID.randomUUID().toString();
        try (Connection c = connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "WITH id AS (INSERT INTO jobs_ids VALUES (?::uuid, 'u', ?)"
                                        + " RETURNING job_id, created_at)"
                                        + " INSERT INTO image_process_jobs (job_id, user_id,"
                                        + " original_path, status, created_at)"
                                        + " SELECT job_id, 'u', 'inline:', ?, created_at FROM id")) {
            ps.setString(1, id);
            ps.setObject(2, java.sql.Timestamp.from(createdAt));
            ps.setString(3, status);
            ps.executeUpdate();
        }
        for (String tag : tags) {
            execute(
                    "WITH t AS (INSERT INTO tags (name) VALUES ('"
                            + tag
                            + "') ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name"
                            + " RETURNING tag_id) INSERT INTO image_tags SELECT '"
                            + id
                            + "', tag_id FROM t");
        }
        return id;
    }

    private List<String> ids() throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT job_id FROM image_process_jobs")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private long count(String sql) throws Exception {
        try (Connection c = connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void execute(String sql) throws Exception {
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private Connection connect() throws Exception {
        return DriverManager.getConnection(pg.jdbcUrl(), "rmbg", "rmbg");
    }
}
