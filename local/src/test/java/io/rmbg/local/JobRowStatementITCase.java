package io.rmbg.local;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.records.BlobRef;
import io.rmbg.core.records.JobResult;
import io.rmbg.core.records.JobStatus;
import io.rmbg.job.sinks.JobRowStatement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sink's upsert on a real PostgreSQL: one row per job, terminal rows stay terminal. */
class JobRowStatementITCase {
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
    void aReplayNeverAddsARowOrLeavesATerminalStatus() throws Exception {
        String job = UUID.randomUUID().toString();
        write(result(job, JobStatus.COMPLETED, new String[] {"b", "a"}));
        write(result(job, JobStatus.PROCESSING, new String[] {"c"}));
        assertThat(db.column("SELECT status FROM image_process_jobs WHERE job_id = '" + job + "'"))
                .containsExactly("completed");
        // A replayed attempt that ended otherwise replaces the row: the last attempt counts.
        write(failed(job));
        assertThat(
                        db.column(
                                "SELECT status || ':' || error_code FROM image_process_jobs WHERE job_id = '"
                                        + job
                                        + "'"))
                .containsExactly("failed:IMAGE_DECODE");
        assertThat(
                        db.column(
                                "SELECT count(*) FROM image_process_jobs WHERE job_id = '"
                                        + job
                                        + "'"))
                .containsExactly("1");
        assertThat(
                        db.column(
                                "SELECT t.name FROM image_tags it JOIN tags t USING (tag_id) WHERE job_id = '"
                                        + job
                                        + "' ORDER BY 1"))
                .containsExactly("a", "b");
    }

    @Test
    void aNonTerminalRowMovesOnToItsResult() throws Exception {
        String job = UUID.randomUUID().toString();
        write(result(job, JobStatus.PROCESSING, new String[0]));
        write(failed(job));
        assertThat(
                        db.column(
                                "SELECT status || ':' || error_code FROM image_process_jobs WHERE job_id = '"
                                        + job
                                        + "'"))
                .containsExactly("failed:IMAGE_DECODE");
    }

    @Test
    void hostileTextIsStoredVerbatim() throws Exception {
        String job = UUID.randomUUID().toString();
        String user = "'); DROP TABLE tags; --";
        JobResult r = result(job, JobStatus.COMPLETED, new String[] {"x' OR '1'='1", "ünï"});
        write(
                JobResult.builder(r.jobId(), user, r.status())
                        .originalPath(r.originalPath())
                        .original(r.original())
                        .mask(r.mask())
                        .processed(r.processed())
                        .size(1, 1)
                        .fileSizeKb(1)
                        .params("{\"k\":\"v'\"}", r.tags())
                        .times(0, 0, 1)
                        .model("m", "v")
                        .build());
        assertThat(db.column("SELECT user_id FROM image_process_jobs WHERE job_id = '" + job + "'"))
                .containsExactly(user);
        assertThat(
                        db.column(
                                "SELECT params->>'k' FROM image_process_jobs WHERE job_id = '"
                                        + job
                                        + "'"))
                .containsExactly("v'");
        assertThat(db.column("SELECT count(*) FROM tags WHERE name IN ('x'' OR ''1''=''1', 'ünï')"))
                .containsExactly("2");
    }

    @Test
    void textPostgresWouldRefuseIsMadeStorableInsteadOfFailingTheBatch() throws Exception {
        String job = UUID.randomUUID().toString();
        String lone = "a\ud800b";
        JobResult r = result(job, JobStatus.FAILED, new String[] {lone});
        write(
                JobResult.builder(r.jobId(), lone, r.status())
                        .failure(ErrorCode.INFERENCE, "nul\0here " + "m".repeat(10_000))
                        .originalPath("s3://rmbg/" + "k".repeat(600))
                        .params("{\"k\":\"" + lone + "\"}", r.tags())
                        .times(0, 0, 1)
                        .model("m".repeat(300), lone)
                        .build());
        assertThat(
                        db.column(
                                "SELECT user_id || '|' || length(error_message) || '|' || position(E'\\x01' in error_message)"
                                        + " || '|' || length(original_path) || '|' || length(model) || '|' || (params->>'k')"
                                        + " FROM image_process_jobs WHERE job_id = '"
                                        + job
                                        + "'"))
                .containsExactly("a\uFFFDb|4000|0|512|128|a?b");
        assertThat(
                        db.column(
                                        "SELECT error_message FROM image_process_jobs WHERE job_id = '"
                                                + job
                                                + "'")
                                .get(0))
                .startsWith("nulhere m");
        assertThat(db.column("SELECT count(*) FROM tags WHERE name = 'a\uFFFDb'"))
                .containsExactly("1");
    }

    @Test
    void aResultNeverTakesOverAnotherUsersRow() throws Exception {
        String job = UUID.randomUUID().toString();
        JobResult first = result(job, JobStatus.PROCESSING, new String[0]);
        write(first);
        JobResult other = result(job, JobStatus.COMPLETED, new String[0]);
        write(
                JobResult.builder(job, "someone-else", other.status())
                        .originalPath(other.originalPath())
                        .original(other.original())
                        .mask(other.mask())
                        .processed(other.processed())
                        .size(1, 1)
                        .fileSizeKb(1)
                        .params(null, other.tags())
                        .times(0, 0, 1)
                        .model("m", "v")
                        .build());
        assertThat(
                        db.column(
                                "SELECT user_id || ':' || status FROM image_process_jobs WHERE job_id = '"
                                        + job
                                        + "'"))
                .containsExactly("user:processing");
    }

    @Test
    void aReplayWithAnotherCreatedAtStillFindsTheOneRowInItsFirstPartition() throws Exception {
        String job = UUID.randomUUID().toString();
        write(result(job, JobStatus.PROCESSING, new String[0]));
        String partition = partitionOf(job);
        JobResult r = result(job, JobStatus.COMPLETED, new String[] {"late"});
        write(
                JobResult.builder(job, "user", r.status())
                        .original(r.original())
                        .mask(r.mask())
                        .processed(r.processed())
                        .size(10, 10)
                        .fileSizeKb(2)
                        .params(null, r.tags())
                        .times(System.currentTimeMillis(), System.currentTimeMillis(), 5)
                        .model("rmbg-2.0", "abc")
                        .build());
        assertThat(
                        db.column(
                                "SELECT status || ':' || extract(epoch FROM created_at)::bigint"
                                        + " FROM image_process_jobs WHERE job_id = '"
                                        + job
                                        + "'"))
                .containsExactly("completed:1700000000");
        assertThat(partitionOf(job)).isEqualTo(partition);
        assertThat(db.column("SELECT count(*) FROM jobs_ids WHERE job_id = '" + job + "'"))
                .containsExactly("1");
        assertThat(db.column("SELECT count(*) FROM image_tags WHERE job_id = '" + job + "'"))
                .containsExactly("1");
    }

    @Test
    void tagsReferenceTheJobsIdAndGoWithIt() throws Exception {
        String job = UUID.randomUUID().toString();
        write(result(job, JobStatus.COMPLETED, new String[] {"x", "y"}));
        try (Connection c = db.connect();
                Statement s = c.createStatement()) {
            assertThatThrownBy(
                            () ->
                                    s.execute(
                                            "INSERT INTO image_tags (job_id, tag_id) SELECT '"
                                                    + UUID.randomUUID()
                                                    + "', min(tag_id) FROM tags"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("foreign key");
            s.execute("DELETE FROM image_process_jobs WHERE job_id = '" + job + "'");
            s.execute("DELETE FROM jobs_ids WHERE job_id = '" + job + "'");
        }
        assertThat(db.column("SELECT count(*) FROM image_tags WHERE job_id = '" + job + "'"))
                .containsExactly("0");
    }

    @Test
    void monthPartitionsExistThreeMonthsAheadBesideTheDefault() throws Exception {
        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        List<String> partitions =
                db.column(
                        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                                + " WHERE i.inhparent = 'image_process_jobs'::regclass");
        for (int m = 0; m <= 3; m++) {
            YearMonth month = now.plusMonths(m);
            assertThat(partitions)
                    .contains(
                            String.format(
                                    "image_process_jobs_%04d_%02d",
                                    month.getYear(), month.getMonthValue()));
        }
        assertThat(partitions).contains("image_process_jobs_default");
    }

    private static String partitionOf(String job) throws Exception {
        return db.column(
                        "SELECT tableoid::regclass::text FROM image_process_jobs WHERE job_id = '"
                                + job
                                + "'")
                .get(0);
    }

    private static JobResult result(String job, JobStatus status, String[] tags) {
        BlobRef blob = new BlobRef("s3://rmbg/original/ab.png", "ab", 2048, 10, 10, "image/png");
        return JobResult.builder(job, "user", status)
                .original(blob)
                .mask(blob)
                .processed(blob)
                .size(10, 10)
                .fileSizeKb(2)
                .params(null, tags)
                .times(1_700_000_000_000L, 1_700_000_000_500L, 500)
                .model("rmbg-2.0", "abc")
                .build();
    }

    private static JobResult failed(String job) {
        return JobResult.builder(job, "user", JobStatus.FAILED)
                .failure(ErrorCode.IMAGE_DECODE, "corrupt")
                .originalPath("inline:")
                .build();
    }

    private static void write(JobResult r) throws Exception {
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement(JobRowStatement.SQL)) {
            new JobRowStatement().accept(ps, r);
            ps.addBatch();
            ps.executeBatch();
        }
    }
}
