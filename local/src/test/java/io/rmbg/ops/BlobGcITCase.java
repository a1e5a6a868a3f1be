package io.rmbg.ops;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Blob garbage collection on the embedded PostgreSQL and S3 server. The grace period is shortened
 * to {@link #GRACE} so that "old" means written a few seconds before the run.
 */
class BlobGcITCase {
    private static final Duration GRACE = Duration.ofSeconds(2);
    private static final Duration OLDER_THAN_GRACE = Duration.ofMillis(3200);
    private static final String ORIGINAL = "original/aa.png";
    private static final String MASK_OF_REUSE = "mask/bb.png";
    private static final String PROCESSED_OF_REUSE = "processed/bb.png";
    private static final String OLD_ORPHAN = "processed/cc.png";
    private static final String OLD_DEAD_LETTER = "dead-letters/dd.bin";
    private static final String UPLOAD = "uploads/photo.jpg";
    private static final String FRESH_ORPHAN = "mask/ee.png";

    @TempDir Path dir;
    private OpsStack stack;

    @BeforeEach
    void start() throws Exception {
        stack = OpsStack.start(dir);
    }

    @AfterEach
    void stop() throws Exception {
        stack.close();
    }

    @Test
    void deletesAnOldOrphanOnlyAndReportsTheBytesFirst() throws Exception {
        String original = stack.put(ORIGINAL, "original bytes");
        stack.jobRow("completed", Instant.now(), original, null, null);
        stack.put(MASK_OF_REUSE, "mask");
        stack.put(PROCESSED_OF_REUSE, "cut-out");
        stack.reuseEntry(original, OpsStack.uri(MASK_OF_REUSE), OpsStack.uri(PROCESSED_OF_REUSE));
        stack.put(OLD_ORPHAN, "orphan, 17 bytes");
        stack.put(OLD_DEAD_LETTER, "dead letter");
        stack.put(UPLOAD, "a user's upload");
        Thread.sleep(OLDER_THAN_GRACE.toMillis());
        stack.put(FRESH_ORPHAN, "a job is writing me");

        BlobGc.Report dry = gc(false);
        assertThat(dry.candidates()).isEqualTo(2); // the old orphan and the old dead letter
        assertThat(dry.candidateBytes()).isEqualTo(16 + 11);
        assertThat(dry.referenced()).isEqualTo(3);
        assertThat(dry.tooYoung()).isEqualTo(1);
        assertThat(dry.deleted()).isZero();
        assertThat(stack.keys()).hasSize(7);

        BlobGc.Report applied = gc(true);
        assertThat(applied.deleted()).isEqualTo(2);
        assertThat(applied.deletedBytes()).isEqualTo(27);
        assertThat(stack.keys())
                .containsExactlyInAnyOrder(
                        FRESH_ORPHAN, MASK_OF_REUSE, ORIGINAL, PROCESSED_OF_REUSE, UPLOAD);
        assertThat(stack.read(ORIGINAL)).isEqualTo("original bytes");

        assertThat(gc(true).deleted()).as("a second run finds nothing").isZero();
    }

    @Test
    void whatAJobNamesOrStoresAgainDuringTheRunIsKept() throws Exception {
        stack.put("original/11.png", "named by a row written during the run");
        stack.put("mask/22.png", "stored again by a job during the run");
        stack.put(OLD_ORPHAN, "still an orphan");
        Thread.sleep(OLDER_THAN_GRACE.toMillis());
        BlobGc gc =
                new BlobGc(
                        stack.s3(),
                        OpsStack.BUCKET,
                        stack.connect(),
                        () -> {
                            try {
                                // A job that deduplicated onto old blobs: its row, and its PUT.
                                stack.jobRow(
                                        "completed",
                                        Instant.now(),
                                        OpsStack.uri("original/11.png"),
                                        null,
                                        null);
                                stack.put("mask/22.png", "stored again by a job during the run");
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
        BlobGc.Report r = gc.run(options(true), Instant.now());
        assertThat(r.candidates()).isEqualTo(3);
        assertThat(r.keptOnRecheck()).isEqualTo(2);
        assertThat(r.deleted()).isEqualTo(1);
        assertThat(stack.keys()).containsExactly("mask/22.png", "original/11.png");
    }

    @Test
    void twoOverlappingRunsDeleteEachOrphanOnceAndKeepTheRest() throws Exception {
        List<String> orphans = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            orphans.add(stack.put(String.format("processed/%02d.png", i), "orphan " + i));
        }
        String kept = stack.put(ORIGINAL, "kept");
        stack.jobRow("failed", Instant.now(), kept, null, null);
        Thread.sleep(OLDER_THAN_GRACE.toMillis());

        CompletableFuture<BlobGc.Report> first = CompletableFuture.supplyAsync(() -> quietly());
        CompletableFuture<BlobGc.Report> second = CompletableFuture.supplyAsync(() -> quietly());
        long deleted = first.get().deleted() + second.get().deleted();
        assertThat(deleted).isBetween(60L, 120L); // a blob both deleted counts in both reports
        assertThat(stack.keys()).containsExactly(ORIGINAL);
    }

    @Test
    void theCommandIsADryRunUnlessApplied() throws Exception {
        stack.put(OLD_ORPHAN, "orphan, 17 bytes");
        String common = "--s3.endpoint " + stack.s3Server.endpoint() + " --s3.path-style true";
        String out = command("maintain --gc --grace-hours 0 " + common);
        assertThat(out)
                .contains("gc: bucket rmbg: 1 blobs (16 B) scanned: 0 referenced")
                .contains("gc: 1 unreferenced blobs older than 0 h")
                .contains("16 B reclaimable")
                .contains("dry run, pass --apply to delete");
        assertThat(stack.exists(OLD_ORPHAN)).isTrue();
        out = command("maintain --gc --apply --grace-hours 0 " + common);
        assertThat(out).contains("gc: deleted 1 blobs, 16 B reclaimed");
        assertThat(stack.exists(OLD_ORPHAN)).isFalse();
    }

    private String command(String args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        String[] argv = (args + " --jdbc.url " + stack.pg.jdbcUrl()).split(" ");
        int rc =
                new OpsCommand(new PrintStream(bytes, true, StandardCharsets.UTF_8))
                        .run(argv, Map.of());
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(rc).as(out).isZero();
        return out;
    }

    private BlobGc.Report quietly() {
        try {
            return gc(true);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private BlobGc.Report gc(boolean apply) throws Exception {
        try (Connection c = stack.connect()) {
            return new BlobGc(stack.s3(), OpsStack.BUCKET, c).run(options(apply), Instant.now());
        }
    }

    private static BlobGc.Options options(boolean apply) {
        return new BlobGc.Options(apply, GRACE, GRACE);
    }
}
