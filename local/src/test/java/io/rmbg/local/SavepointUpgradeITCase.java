package io.rmbg.local;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rmbg.job.RmbgJob;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.testkit.SyntheticModels;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The upgrade path Flink users expect: stop the job with a savepoint, start the next run from it at
 * another parallelism (2 → 1). Events sent while it was stopped are processed once; events re-sent
 * after the restore are recognised by the per-job state that came through the savepoint (no second
 * result); the statistics still equal the rows. Stable operator uids make this work.
 */
class SavepointUpgradeITCase extends PipelineITCaseBase {
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final List<byte[]> IMAGES =
            List.of(
                    SampleImages.png(64, 48),
                    SampleImages.jpeg(80, 60),
                    SampleImages.pngWithAlpha(50, 50));

    @Override
    PipelineConfig.Builder settings(Path dataDir) throws Exception {
        Path model = dataDir.resolve("colour-key-320.onnx");
        SyntheticModels.writeColourKeyModel(model, 320);
        return PipelineConfig.builder()
                .set(ConfigKeys.MODEL_PATH, model.toString())
                .set(ConfigKeys.MODEL_PROFILE, "u2net")
                .set(ConfigKeys.MODEL_INTRA_OP_THREADS, 1)
                .set(ConfigKeys.KAFKA_STARTING_OFFSETS, "earliest")
                .set(ConfigKeys.CHECKPOINT_INTERVAL_MS, 1000)
                .set(ConfigKeys.STATS_UPDATE_INTERVAL_MS, 500)
                .set(ConfigKeys.STATS_RECONCILE_QUIET_MS, 3000);
    }

    @Test
    void aSavepointRestoresAtAnotherParallelismWithNoJobLostOrCountedTwice() throws Exception {
        JobClient first = startJob("rmbg-v1", 2, RmbgJob.jobConfiguration(config()));
        List<ObjectNode> before = events("before", 30);
        send(before);
        db().awaitCompleted(ids(before), WAIT);

        String savepoint =
                first.stopWithSavepoint(
                                false,
                                dataDir().resolve("savepoints").toUri().toString(),
                                SavepointFormatType.CANONICAL)
                        .get();

        List<ObjectNode> whileStopped = events("stopped", 20);
        send(whileStopped);
        List<ObjectNode> again = before.subList(0, 10);
        send(again);

        Configuration restore = RmbgJob.jobConfiguration(config());
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        startJob("rmbg-v2", 1, restore);
        db().awaitCompleted(ids(whileStopped), WAIT);
        rest().awaitCounter("First result per job", "duplicateResults", again.size(), WAIT);

        assertThat(db().count("SELECT count(*) FROM image_process_jobs"))
                .as("one row per job, none lost, none doubled")
                .isEqualTo(before.size() + whileStopped.size());
        // The restored run read only what came after the savepoint: its duplicates can only have
        // been recognised through the per-job state the savepoint carried.
        assertThat(rest().counter("Remove background", "imagesReceived"))
                .as("events processed by the restored run")
                .isEqualTo(whileStopped.size() + again.size());
        assertThat(rest().counter("First result per job", "duplicateResults"))
                .as("re-sent jobs recognised from the restored state")
                .isEqualTo(again.size());
        db().awaitStatsEqualRecomputation(WAIT);
    }

    private static List<ObjectNode> events(String user, int n) {
        List<ObjectNode> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(Events.inline(user, IMAGES.get(i % IMAGES.size())));
        }
        return events;
    }

    private void send(List<ObjectNode> events) throws Exception {
        send(events.stream().map(Events::bytes).toArray(byte[][]::new));
    }

    private static List<String> ids(List<ObjectNode> events) {
        return events.stream().map(Events::jobId).toList();
    }
}
