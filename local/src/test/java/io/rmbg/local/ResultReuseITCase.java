package io.rmbg.local;

import io.rmbg.core.blob.S3BlobStore;
import io.rmbg.core.blob.S3Uri;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.testkit.SyntheticModels;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Result reuse through the whole pipeline (Kafka → the real job on a MiniCluster → PostgreSQL's
 * {@code result_reuse} and rows, S3): the same image under three job ids of two users is run through
 * the model once; a deleted blob makes the next identical job recompute and store it again; an
 * opted-out job is computed.
 */
class ResultReuseITCase extends PipelineITCaseBase {
    private static final Duration WAIT = Duration.ofMinutes(2);

    @Override
    PipelineConfig.Builder settings(Path dataDir) throws Exception {
        Path model = dataDir.resolve("colour-key.onnx");
        SyntheticModels.writeColourKeyModel(model, 1024);
        return PipelineConfig.builder()
                .set(ConfigKeys.MODEL_PATH, model.toString())
                .set(ConfigKeys.MODEL_PROFILE, "rmbg-2.0")
                .set(ConfigKeys.MODEL_INTRA_OP_THREADS, 1)
                .set(ConfigKeys.KAFKA_STARTING_OFFSETS, "earliest")
                .set(ConfigKeys.CHECKPOINT_INTERVAL_MS, 2000)
                // Every hit checks that the blobs still exist: the deletion below is seen at once.
                .set(ConfigKeys.REUSE_VERIFY_TTL_MS, 0);
    }

    @Test
    void oneImageIsRunThroughTheModelOnceAndADeletedBlobIsRecomputed() throws Exception {
        startJob("rmbg-reuse-it");
        byte[] image = SampleImages.png(320, 240);

        ObjectNode first = Events.inline("alice", image);
        send(Events.bytes(first));
        db().awaitCompleted(List.of(Events.jobId(first)), WAIT);

        ObjectNode again = Events.inline("alice", image);
        ObjectNode otherUser = Events.inline("bob", image);
        ObjectNode optedOut = Events.inline("bob", image);
        optedOut.putObject("params").put("reuse", false);
        send(Events.bytes(again), Events.bytes(otherUser), Events.bytes(optedOut));
        List<String> ids = List.of(Events.jobId(again), Events.jobId(otherUser), Events.jobId(optedOut));
        db().awaitCompleted(ids, WAIT);

        Map<String, Object> original = db().jobRow(Events.jobId(first));
        assertThat(original.get("reused")).isEqualTo("false");
        for (ObjectNode reused : List.of(again, otherUser)) {
            Map<String, Object> row = db().jobRow(Events.jobId(reused));
            assertThat(row.get("reused")).as("row of %s", row.get("user_id")).isEqualTo("true");
            for (String column :
                    List.of("original_path", "mask_path", "processed_path", "image_width",
                            "image_height", "file_size_kb", "model", "model_version")) {
                assertThat(row.get(column)).as(column).isEqualTo(original.get(column));
            }
        }
        assertThat(db().jobRow(Events.jobId(optedOut)).get("reused")).isEqualTo("false");
        assertThat(db().count("SELECT count(*) FROM result_reuse")).isEqualTo(1);
        rest().awaitCounter("Remove background", "resultCacheHits", 2, WAIT);
        rest().awaitCounter("Remove background", "resultCacheMisses", 1, WAIT);
        assertThat(rest().counter("Remove background", "resultCacheHits")).isEqualTo(2);
        assertThat(rest().counter("Remove background", "resultCacheMisses")).isEqualTo(1);

        // The mask disappears from the store: the next identical job must not point at it.
        String maskUri = (String) original.get("mask_path");
        try (S3BlobStore store = new S3BlobStore(config().s3())) {
            S3Uri mask = S3Uri.parse(maskUri);
            store.client().deleteObject(b -> b.bucket(mask.bucket()).key(mask.key()));
            assertThat(store.exists(maskUri)).isFalse();

            ObjectNode afterDeletion = Events.inline("alice", image);
            send(Events.bytes(afterDeletion));
            db().awaitCompleted(List.of(Events.jobId(afterDeletion)), WAIT);

            Map<String, Object> row = db().jobRow(Events.jobId(afterDeletion));
            assertThat(row.get("reused")).isEqualTo("false");
            assertThat(row.get("mask_path")).isEqualTo(maskUri);
            assertThat(store.exists(maskUri)).as("stored again").isTrue();
        }
    }
}
