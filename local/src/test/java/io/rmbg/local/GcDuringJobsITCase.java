package io.rmbg.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rmbg.core.blob.S3BlobStore;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.ops.BlobGc;
import io.rmbg.testkit.SyntheticModels;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Blob garbage collection while the real job runs (Kafka → MiniCluster → PostgreSQL, S3): runs
 * applied back to back during processing lose none of a job's blobs, and afterwards every blob the
 * pipeline stored is found named by its row (the mark reads the paths the sink really writes).
 */
class GcDuringJobsITCase extends PipelineITCaseBase {
    private static final Duration WAIT = Duration.ofMinutes(2);

    /** Longer than any job of this test takes from storing its original to writing its row. */
    private static final Duration GRACE = Duration.ofSeconds(60);

    @Override
    PipelineConfig.Builder settings(Path dataDir) throws Exception {
        Path model = dataDir.resolve("colour-key.onnx");
        SyntheticModels.writeColourKeyModel(model, 1024);
        return PipelineConfig.builder()
                .set(ConfigKeys.MODEL_PATH, model.toString())
                .set(ConfigKeys.MODEL_PROFILE, "rmbg-2.0")
                .set(ConfigKeys.MODEL_INTRA_OP_THREADS, 1)
                .set(ConfigKeys.KAFKA_STARTING_OFFSETS, "earliest")
                .set(ConfigKeys.CHECKPOINT_INTERVAL_MS, 2000);
    }

    @Test
    void jobsRunningDuringCollectionKeepAllTheirBlobs() throws Exception {
        startJob("rmbg-gc-it");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger runs = new AtomicInteger();
        AtomicLong deleted = new AtomicLong();
        try (S3BlobStore store = new S3BlobStore(config().s3())) {
            CompletableFuture<Void> collector =
                    CompletableFuture.runAsync(
                            () -> {
                                while (!stop.get()) {
                                    BlobGc.Report r = gc(store, GRACE);
                                    runs.incrementAndGet();
                                    deleted.addAndGet(r.deleted());
                                }
                            });
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                ObjectNode e = Events.inline("gc-user", SampleImages.png(200 + 8 * i, 120));
                send(Events.bytes(e));
                ids.add(Events.jobId(e));
            }
            db().awaitCompleted(ids, WAIT);
            stop.set(true);
            collector.get();
            assertThat(runs.get()).as("collections during processing").isGreaterThan(1);
            assertThat(deleted.get()).isZero();

            for (String id : ids) {
                var row = db().jobRow(id);
                for (String column : List.of("original_path", "mask_path", "processed_path")) {
                    String uri = (String) row.get(column);
                    assertThat(store.exists(uri)).as("%s of %s", column, id).isTrue();
                }
            }
            // No grace at all now that every job has ended: each stored blob is named by a row.
            BlobGc.Report after = gc(store, Duration.ZERO);
            assertThat(after.deleted()).isZero();
            assertThat(after.candidates()).isZero();
            assertThat(after.referenced()).isEqualTo(after.scanned()).isEqualTo(3L * ids.size());
        }
    }

    private BlobGc.Report gc(S3BlobStore store, Duration grace) {
        try (Connection c =
                DriverManager.getConnection(
                        config().jdbc().url(),
                        config().jdbc().user(),
                        config().jdbc().password())) {
            return new BlobGc(store.client(), bucket(), c)
                    .run(new BlobGc.Options(true, grace, grace), Instant.now());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
