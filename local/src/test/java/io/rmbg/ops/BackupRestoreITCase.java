package io.rmbg.ops;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * bin/rmbg backup → wipe → bin/rmbg restore on the embedded PostgreSQL (17) and S3 server: the
 * binary COPY path (the test names a pg_dump that does not exist, so a machine with a new enough
 * one takes the same path). {@link PgDumpBackupRestoreITCase} runs the same on PostgreSQL 15 with
 * the real pg_dump and pg_restore.
 */
class BackupRestoreITCase {
    @TempDir Path dir;
    OpsStack stack;

    /** The servers; a variant starts another PostgreSQL. */
    OpsStack startStack(Path servers) throws Exception {
        return OpsStack.start(servers);
    }

    /** What backup says about how it wrote the tables, and checks the files. */
    void assertTablesWritten(String backupOutput, Path backup) {
        assertThat(backupOutput)
                .contains("tables written with binary COPY instead")
                .contains("(binary COPY)");
        assertThat(backup.resolve("db").resolve("image_process_jobs.copy")).exists();
        assertThat(backup.resolve(PgDumpArchive.FILE)).doesNotExist();
    }

    @BeforeEach
    void start() throws Exception {
        stack = startStack(dir.resolve("servers"));
        String original = stack.put("original/aa.png", "the original");
        String mask = stack.put("mask/bb.png", "the mask");
        String processed = stack.put("processed/cc.png", "the cut-out");
        stack.put("dead-letters/dd.bin", "a large dead letter");
        stack.put("uploads/photo.jpg", "a user's upload");
        String job =
                stack.jobRow(
                        "completed",
                        Instant.parse("2026-01-02T03:04:05.678901Z"),
                        original,
                        mask,
                        processed);
        stack.jobRow("failed", Instant.now().minus(Duration.ofDays(3)), "inline:", null, null);
        stack.execute(
                "UPDATE image_process_jobs SET params = '{\"bg\": \"#fff\", \"n\": [1, 2]}',"
                        + " error_message = E'multi\\nline ünï', reused = true WHERE job_id = '"
                        + job
                        + "'");
        stack.execute(
                "WITH t AS (INSERT INTO tags (name) VALUES ('cat'), ('dog') RETURNING tag_id)"
                        + " INSERT INTO image_tags SELECT '"
                        + job
                        + "', tag_id FROM t");
        stack.reuseEntry(original, mask, processed);
        stack.execute(
                "INSERT INTO users (user_id, email) VALUES ('user', 'u@example.org');"
                        + " INSERT INTO api_tokens (token_sha256, user_id, is_admin) VALUES ('"
                        + "f".repeat(64)
                        + "', 'user', true);"
                        + " INSERT INTO processing_stats VALUES (DATE '2026-01-02', 2, 1, 12.50,"
                        + " 50.00, 1, now());"
                        + " INSERT INTO processing_error_stats VALUES (DATE '2026-01-02',"
                        + " 'IMAGE_DECODE', 1, now())");
    }

    @AfterEach
    void stop() throws Exception {
        stack.close();
    }

    @Test
    void backupWipeRestoreGivesIdenticalRowsAndReadableBlobs() throws Exception {
        Map<String, List<String>> before = allRows();
        Map<String, String> blobsBefore = blobs();
        Path backup = dir.resolve("backup");
        String backedUp = command("backup " + backup + " --blobs");
        assertThat(backedUp).contains("Bucket rmbg: 5 blobs");
        assertTablesWritten(backedUp, backup);

        assertThat(Files.readAllLines(backup.resolve("blobs.tsv")))
                .hasSize(5)
                .contains(
                        "mask/bb.png\t8\t"
                                + StoreBackup.sha256(
                                        new java.io.ByteArrayInputStream(
                                                "the mask".getBytes(StandardCharsets.UTF_8))));

        wipe();
        assertThat(stack.keys()).isEmpty();

        String out = command("restore " + backup);
        assertThat(out)
                .contains("blobs put back: 5")
                .contains("Every blob of the manifest is in the bucket with its SHA-256.");
        assertThat(allRows()).isEqualTo(before);
        assertThat(blobs()).isEqualTo(blobsBefore);
        // The tag sequence follows the restored ids: a new tag gets a fresh one.
        stack.execute("INSERT INTO tags (name) VALUES ('bird')");
        assertThat(allRows().get("tags")).hasSize(3);
        // The trigger came back with the schema.
        assertThat(
                        allRows(
                                        "SELECT tgname FROM pg_trigger WHERE tgname ="
                                                + " 'rmbg_job_changes' AND tgrelid ="
                                                + " 'image_process_jobs'::regclass")
                                .size())
                .isEqualTo(1);
    }

    @Test
    void restoreRefusesRowsUnlessReplacingAndReportsMissingBlobs() throws Exception {
        Map<String, List<String>> before = allRows();
        Path backup = dir.resolve("backup");
        command("backup " + backup); // manifest only
        assertThat(backup.resolve("blobs")).doesNotExist();

        ByteArrayOutputStream refused = new ByteArrayOutputStream();
        assertThat(
                        new OpsCommand(new PrintStream(refused, true, StandardCharsets.UTF_8))
                                .run(args("restore " + backup), Map.of()))
                .isEqualTo(2);
        assertThat(refused.toString(StandardCharsets.UTF_8))
                .contains("holds rows")
                .contains("--replace");
        stack.execute("DELETE FROM image_process_jobs WHERE status = 'failed'");
        stack.s3().deleteObject(b -> b.bucket(OpsStack.BUCKET).key("mask/bb.png"));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int rc =
                new OpsCommand(new PrintStream(bytes, true, StandardCharsets.UTF_8))
                        .run(args("restore " + backup + " --replace"), Map.of());
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(rc).as(out).isEqualTo(1);
        assertThat(out)
                .contains("1 blobs of the manifest are not in the bucket")
                .contains("mask/bb.png: missing from the bucket");
        assertThat(allRows()).as("rows are back even so").isEqualTo(before);
    }

    @Test
    void aBackupNeedsANewDirectory() throws Exception {
        Path used = Files.createDirectories(dir.resolve("used"));
        Files.writeString(used.resolve("x"), "x");
        try (Connection c = stack.connect()) {
            assertThatThrownBy(
                            () ->
                                    StoreBackup.write(
                                            c, stack.s3(), OpsStack.BUCKET, "", used, false))
                    .hasMessageContaining("not empty");
        }
    }

    void wipe() throws Exception {
        stack.execute("DROP TABLE " + String.join(", ", StoreBackup.TABLES) + " CASCADE");
        for (String key : stack.keys()) {
            stack.s3().deleteObject(b -> b.bucket(OpsStack.BUCKET).key(key));
        }
    }

    private Map<String, String> blobs() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : stack.keys()) {
            out.put(key, stack.read(key));
        }
        return out;
    }

    /** Every row of every table, each as its text form, in a stable order. */
    Map<String, List<String>> allRows() throws Exception {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String table : StoreBackup.TABLES) {
            out.put(table, allRows("SELECT t::text FROM " + table + " t ORDER BY 1"));
        }
        return out;
    }

    private List<String> allRows(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = stack.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    String command(String args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int rc =
                new OpsCommand(new PrintStream(bytes, true, StandardCharsets.UTF_8))
                        .run(args(args), Map.of());
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(rc).as(out).isZero();
        return out;
    }

    /** Where the PostgreSQL client programs are: none here, so backup falls back to COPY. */
    String clientTools() {
        return " --pg-dump /nonexistent/pg_dump";
    }

    String[] args(String args) {
        return (args
                        + (args.startsWith("backup") ? clientTools() : "")
                        + " --jdbc.url "
                        + stack.pg.jdbcUrl()
                        + " --s3.endpoint "
                        + stack.s3Server.endpoint()
                        + " --s3.path-style true")
                .split(" ");
    }
}
