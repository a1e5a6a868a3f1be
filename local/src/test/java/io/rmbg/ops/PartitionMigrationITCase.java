package io.rmbg.ops;

import io.rmbg.core.records.BlobRef;
import io.rmbg.core.records.JobResult;
import io.rmbg.core.records.JobStatus;
import io.rmbg.job.sinks.JobRowStatement;
import io.rmbg.local.LocalPostgres;
import io.rmbg.local.LocalStack;
import io.rmbg.service.JobQueries;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bin/rmbg maintain --partition}: a store created by the unpartitioned schema (the copy in
 * schema-unpartitioned.sql) becomes the partitioned one with every row, grant, index and link.
 */
class PartitionMigrationITCase {
    private static final Instant NOW = Instant.now();
    private static final Instant TEN_MONTHS_AGO = NOW.minus(Duration.ofDays(300));

    @TempDir Path dir;
    private LocalPostgres pg;

    @BeforeEach
    void start() throws Exception {
        String oldSchema;
        try (InputStream in = getClass().getResourceAsStream("/schema-unpartitioned.sql")) {
            oldSchema = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        pg = LocalPostgres.start(dir.resolve("pg"), 0, "rmbg", "rmbg", oldSchema);
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), "postgres", "postgres");
                Statement s = c.createStatement()) {
            s.execute("CREATE ROLE job_writer; CREATE ROLE results_reader");
        }
        execute(
                "GRANT SELECT, INSERT, UPDATE ON image_process_jobs TO job_writer;"
                        + " GRANT SELECT ON image_process_jobs TO results_reader;"
                        + " INSERT INTO processing_stats (stat_date, total_jobs) VALUES"
                        + " (CURRENT_DATE - 300, 3)");
    }

    @AfterEach
    void stop() throws Exception {
        pg.close();
    }

    /** bin/rmbg local on data kept from an earlier version: migrated once, before the job runs. */
    @Test
    void theLocalStackMigratesKeptDataBeforeItsJobStarts() throws Exception {
        String kept = oldRow("completed", TEN_MONTHS_AGO, "cat");
        execute(LocalStack.schemaSql());
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(said, true, StandardCharsets.UTF_8);
        try (Connection c = connect()) {
            assertThat(PartitionMigration.migrateIfUnpartitioned(c, out, NOW)).isTrue();
            assertThat(PartitionMigration.migrateIfUnpartitioned(c, out, NOW)).isFalse();
        }
        assertThat(said.toString(StandardCharsets.UTF_8))
                .contains("Migrating image_process_jobs to month partitions")
                .contains("image_process_jobs is partitioned by created_at");
        assertThat(count("SELECT count(*) FROM pg_partitioned_table")).isEqualTo(1);
        assertThat(jobById(kept)).isEqualTo(kept);
        assertThat(count("SELECT count(*) FROM jobs_ids")).isEqualTo(1);
    }

    @Test
    void theOldTableBecomesAPartitionAndEverythingKeepsWorking() throws Exception {
        List<String> old = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            old.add(oldRow("completed", TEN_MONTHS_AGO.plusSeconds(i), "cat"));
        }
        String recent = oldRow("completed", NOW.minus(Duration.ofDays(2)), "dog");
        String running = oldRow("processing", NOW.minus(Duration.ofHours(1)));
        execute("UPDATE image_process_jobs SET created_at = NULL WHERE job_id = '" + running + "'");
        // The new schema applied on the old store (the stack's start) leaves the table as it is.
        execute(LocalStack.schemaSql());
        assertThat(count("SELECT count(*) FROM pg_partitioned_table")).isZero();

        String dry = command("maintain --partition");
        assertThat(dry).contains("dry run, pass --apply").contains("stop the job with a savepoint");
        assertThat(count("SELECT count(*) FROM pg_partitioned_table")).isZero();

        String out = command("maintain --partition --apply");
        assertThat(out).contains("image_process_jobs is partitioned by created_at");
        assertThat(count("SELECT count(*) FROM pg_partitioned_table")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM image_process_jobs")).isEqualTo(5);
        assertThat(count("SELECT count(*) FROM jobs_ids")).isEqualTo(5);
        for (String id : List.of(old.get(0), recent, running)) {
            assertThat(jobById(id)).as(id).isEqualTo(id);
        }
        assertThat(
                        column(
                                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid ="
                                        + " i.indexrelid WHERE i.indrelid ="
                                        + " 'image_process_jobs'::regclass"))
                .containsExactlyInAnyOrder(
                        "image_process_jobs_pkey",
                        "idx_jobs_status",
                        "idx_jobs_user_id",
                        "idx_jobs_created_at",
                        "idx_jobs_user_created",
                        "idx_jobs_completed_at",
                        "idx_jobs_params",
                        "idx_jobs_large_files");
        assertThat(
                        count(
                                "SELECT count(*) FROM pg_trigger WHERE tgname = 'rmbg_job_changes'"
                                        + " AND tgrelid = 'image_process_jobs'::regclass"))
                .isEqualTo(1);
        assertThat(
                        column(
                                "SELECT has_table_privilege('job_writer', 'jobs_ids', 'INSERT')"
                                        + " AND has_table_privilege('job_writer',"
                                        + " 'image_process_jobs', 'UPDATE')"
                                        + " AND has_table_privilege('results_reader', 'jobs_ids',"
                                        + " 'SELECT')"
                                        + " AND NOT has_table_privilege('results_reader',"
                                        + " 'jobs_ids', 'INSERT')"))
                .containsExactly("t");
        assertThat(
                        column(
                                "SELECT confrelid::regclass::text || ':' || convalidated FROM"
                                        + " pg_constraint WHERE conname = 'image_tags_job_id_fkey'"))
                .containsExactly("jobs_ids:true");
        YearMonth ahead = YearMonth.now(ZoneOffset.UTC).plusMonths(3);
        assertThat(
                        count(
                                String.format(
                                        "SELECT count(*) FROM pg_class WHERE relname ="
                                                + " 'image_process_jobs_%04d_%02d'",
                                        ahead.getYear(), ahead.getMonthValue())))
                .isEqualTo(1);

        // The sink's upsert: a replay of an old job stays its one row; a new job gets one.
        write(result(recent, JobStatus.COMPLETED, Instant.now()));
        String fresh = UUID.randomUUID().toString();
        write(result(fresh, JobStatus.COMPLETED, Instant.now()));
        assertThat(count("SELECT count(*) FROM image_process_jobs")).isEqualTo(6);
        assertThat(count("SELECT count(*) FROM image_process_jobs WHERE job_id = '" + recent + "'"))
                .isEqualTo(1);
        assertThat(jobById(fresh)).isEqualTo(fresh);

        // Retention: the old rows go in batches (their partition also holds young rows).
        try (Connection c = connect()) {
            Retention.Report r =
                    new Retention(c)
                            .run(
                                    new Retention.Options(true, Retention.Options.defaultAges(), 2),
                                    NOW);
            assertThat(r.deleted()).containsEntry("completed", 3L);
        }
        assertThat(column("SELECT job_id::text FROM image_process_jobs"))
                .containsExactlyInAnyOrder(recent, running, fresh);
        assertThat(count("SELECT count(*) FROM jobs_ids")).isEqualTo(3);
        assertThat(column("SELECT job_id::text FROM image_tags"))
                .containsExactlyInAnyOrder(recent, fresh)
                .doesNotContainAnyElementsOf(old);
        assertThat(count("SELECT count(*) FROM processing_stats")).isEqualTo(1);

        // The schema, applied again on every start, changes nothing.
        execute(LocalStack.schemaSql());
        assertThat(
                        count(
                                "SELECT count(*) FROM pg_index WHERE indrelid ="
                                        + " 'image_process_jobs'::regclass"))
                .isEqualTo(8);
        assertThat(command("maintain --partition")).contains("partitioned already");
    }

    private String oldRow(String status, Instant createdAt, String... tags) throws Exception {
        String id = UUID.randomUUID().toString();
        try (Connection c = connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "INSERT INTO image_process_jobs (job_id, user_id, original_path,"
                                        + " status, created_at, completed_at) VALUES (?::uuid,"
                                        + " 'user', 'inline:', ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, status);
            ps.setTimestamp(3, Timestamp.from(createdAt));
            ps.setTimestamp(4, Timestamp.from(createdAt));
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

    private static JobResult result(String job, JobStatus status, Instant createdAt) {
        BlobRef blob = new BlobRef("s3://rmbg/original/ab.png", "ab", 2048, 10, 10, "image/png");
        return JobResult.builder(job, "user", status)
                .original(blob)
                .mask(blob)
                .processed(blob)
                .size(10, 10)
                .fileSizeKb(2)
                .params(null, new String[] {"dog"})
                .times(createdAt.toEpochMilli(), createdAt.toEpochMilli() + 5, 5)
                .model("rmbg-2.0", "abc")
                .build();
    }

    private void write(JobResult r) throws Exception {
        try (Connection c = connect();
                PreparedStatement ps = c.prepareStatement(JobRowStatement.SQL)) {
            new JobRowStatement().accept(ps, r);
            ps.addBatch();
            ps.executeBatch();
        }
    }

    private String jobById(String id) throws Exception {
        try (Connection c = connect();
                PreparedStatement ps = c.prepareStatement(JobQueries.JOB_SQL)) {
            ps.setObject(1, UUID.fromString(id));
            ps.setObject(2, UUID.fromString(id));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString("job_id") : null;
            }
        }
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

    private List<String> column(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private long count(String sql) throws Exception {
        return Long.parseLong(column(sql).get(0));
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
