package io.rmbg.local;

import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.testkit.SyntheticModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.rmbg.local.Events.b64;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shaded job jar on a real standalone Flink cluster (JobManager and TaskManager JVMs),
 * submitted through the REST API the way {@code flink run} does, against the embedded Kafka,
 * PostgreSQL and S3. Catches the classloading and shading mistakes that a MiniCluster hides.
 */
class ClusterSubmissionITCase {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void theShadedJarRunsOnAStandaloneCluster() throws Exception {
        Path model = dir.resolve("colour-key.onnx");
        SyntheticModels.writeColourKeyModel(model, 1024);
        try (LocalStack stack =
                        LocalStack.start(
                                LocalStack.Options.ephemeral(dir.resolve("stack")),
                                PipelineConfig.defaults());
                StandaloneFlinkCluster flink =
                        StandaloneFlinkCluster.start(
                                dir.resolve("flink"), Path.of("..", "conf"), 2)) {
            PipelineConfig c = stack.config();
            String bucket = c.get(ConfigKeys.S3_BUCKET);
            S3Fixture.put(
                    c.s3(), bucket, "uploads/cluster-user/photo.jpg", SampleImages.jpeg(320, 240));
            Map<String, String> expected = new HashMap<>();
            List<byte[]> values = new ArrayList<>();
            expected.put(
                    event(
                            values,
                            "image_uri",
                            "s3://" + bucket + "/uploads/cluster-user/photo.jpg"),
                    "completed:null");
            expected.put(
                    event(values, "image_base64", b64(SampleImages.pngWithAlpha(200, 100))),
                    "completed:null");
            expected.put(
                    event(
                            values,
                            "image_uri",
                            "s3://" + bucket + "/uploads/cluster-user/missing.jpg"),
                    "failed:SOURCE_NOT_FOUND");
            expected.put(
                    event(values, "image_base64", b64(BadImages.notAnImage())),
                    "failed:UNSUPPORTED_FORMAT");
            values.add("{ not json".getBytes(UTF_8));
            try (EventProducer producer = new EventProducer(stack.kafkaBootstrapServers())) {
                for (byte[] v : values) {
                    producer.send(c.get(ConfigKeys.KAFKA_TOPIC_EVENTS), v);
                }
            }

            String jobId =
                    flink.submit(
                            shadedJar(),
                            List.of(
                                    "--" + ConfigKeys.KAFKA_BOOTSTRAP_SERVERS,
                                    c.get(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS),
                                    "--" + ConfigKeys.KAFKA_STARTING_OFFSETS,
                                    "earliest",
                                    "--" + ConfigKeys.JDBC_URL,
                                    c.get(ConfigKeys.JDBC_URL),
                                    "--" + ConfigKeys.S3_ENDPOINT,
                                    c.get(ConfigKeys.S3_ENDPOINT),
                                    "--" + ConfigKeys.MODEL_PATH,
                                    model.toString(),
                                    "--" + ConfigKeys.MODEL_INTRA_OP_THREADS,
                                    "1",
                                    "--" + ConfigKeys.CHECKPOINT_INTERVAL_MS,
                                    "2000",
                                    "--" + ConfigKeys.STATS_UPDATE_INTERVAL_MS,
                                    "500"),
                            2);
            try {
                StackQueries db = new StackQueries(c);
                Map<String, String> rows =
                        awaitRows(db, expected.size(), Duration.ofMinutes(3), flink, jobId);
                assertThat(rows).isEqualTo(expected);
                assertThat(flink.jobState(jobId)).isEqualTo("RUNNING");
                Poll.until(
                        Duration.ofMinutes(1),
                        Duration.ofMillis(500),
                        () -> db.map("SELECT 'all', sum(total_jobs)::text FROM processing_stats"),
                        stats -> String.valueOf(expected.size()).equals(stats.get("all")),
                        stats -> "processing_stats never reached " + expected.size() + " jobs");
                // conf/config.yaml's state backend and checkpoint tolerance reach the job, and
                // its state checkpoints on RocksDB.
                var checkpointing = flink.get("/jobs/" + jobId + "/checkpoints/config");
                assertThat(checkpointing.path("state_backend").asText()).contains("RocksDB");
                assertThat(checkpointing.path("tolerable_failed_checkpoints").asInt())
                        .isEqualTo(10);
                Poll.until(
                        Duration.ofMinutes(1),
                        Duration.ofMillis(500),
                        () ->
                                flink.get("/jobs/" + jobId + "/checkpoints")
                                        .at("/counts/completed")
                                        .asInt(),
                        n -> n >= 1,
                        n -> "no checkpoint completed on RocksDB; logs in " + flink.logDir());
            } finally {
                flink.cancel(jobId);
            }
        }
    }

    private static String event(List<byte[]> values, String field, String value) {
        var e = Events.event("cluster-user").put(field, value);
        values.add(Events.bytes(e));
        return Events.jobId(e);
    }

    private static Path shadedJar() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("..", "job", "target"))) {
            return files.filter(p -> p.getFileName().toString().endsWith("-flink.jar"))
                    .findFirst()
                    .orElseThrow(
                            () ->
                                    new AssertionError(
                                            "no job/target/*-flink.jar: run mvn package first"));
        }
    }

    private static Map<String, String> awaitRows(
            StackQueries db, int n, Duration timeout, StandaloneFlinkCluster flink, String jobId)
            throws Exception {
        return Poll.until(
                timeout,
                Duration.ofSeconds(1),
                () -> {
                    Map<String, String> rows =
                            db.map(
                                    "SELECT job_id, status || ':' || coalesce(error_code, 'null')"
                                            + " FROM image_process_jobs WHERE status IN ('completed', 'failed')");
                    if (rows.size() < n) {
                        assertThat(flink.jobState(jobId))
                                .as("job state (logs in %s)", flink.logDir())
                                .isIn("CREATED", "INITIALIZING", "RUNNING");
                    }
                    return rows;
                },
                rows -> rows.size() >= n,
                rows -> "saw " + rows.size() + " of " + n + " rows; logs in " + flink.logDir());
    }
}
