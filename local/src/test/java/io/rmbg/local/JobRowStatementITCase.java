package io.rmbg.local;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.records.BlobRef;
import io.rmbg.core.records.JobResult;
import io.rmbg.core.records.JobStatus;
import io.rmbg.core.records.StageTimings;
import io.rmbg.job.sinks.JobRowStatement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

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
                new JobResult(
                        r.jobId(),
                        user,
                        r.status(),
                        null,
                        null,
                        r.originalPath(),
                        r.original(),
                        r.mask(),
                        r.processed(),
                        1,
                        1,
                        1,
                        "{\"k\":\"v'\"}",
                        r.tags(),
                        0,
                        0,
                        1,
                        "m",
                        "v",
                        StageTimings.NONE));
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
                new JobResult(
                        r.jobId(),
                        lone,
                        r.status(),
                        ErrorCode.INFERENCE,
                        "nul\0here " + "m".repeat(10_000),
                        "s3://rmbg/" + "k".repeat(600),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        "{\"k\":\"" + lone + "\"}",
                        r.tags(),
                        0,
                        0,
                        1,
                        "m".repeat(300),
                        lone,
                        StageTimings.NONE));
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
                new JobResult(
                        job,
                        "someone-else",
                        other.status(),
                        null,
                        null,
                        other.originalPath(),
                        other.original(),
                        other.mask(),
                        other.processed(),
                        1,
                        1,
                        1,
                        null,
                        other.tags(),
                        0,
                        0,
                        1,
                        "m",
                        "v",
                        StageTimings.NONE));
        assertThat(
                        db.column(
                                "SELECT user_id || ':' || status FROM image_process_jobs WHERE job_id = '"
                                        + job
                                        + "'"))
                .containsExactly("user:processing");
    }

    private static JobResult result(String job, JobStatus status, String[] tags) {
        BlobRef blob = new BlobRef("s3://rmbg/original/ab.png", "ab", 2048, 10, 10, "image/png");
        return new JobResult(
                job,
                "user",
                status,
                null,
                null,
                blob.uri(),
                blob,
                blob,
                blob,
                10,
                10,
                2,
                null,
                tags,
                1_700_000_000_000L,
                1_700_000_000_500L,
                500,
                "rmbg-2.0",
                "abc",
                StageTimings.NONE);
    }

    private static JobResult failed(String job) {
        return new JobResult(
                job,
                "user",
                JobStatus.FAILED,
                ErrorCode.IMAGE_DECODE,
                "corrupt",
                "inline:",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                new String[0],
                0,
                0,
                0,
                null,
                null,
                StageTimings.NONE);
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
