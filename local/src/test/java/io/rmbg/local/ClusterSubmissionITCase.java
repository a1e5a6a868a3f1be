package io.rmbg.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rmbg.core.blob.S3BlobStore;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.testkit.SyntheticModels;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shaded job jar on a real standalone Flink cluster (JobManager and TaskManager JVMs),
 * submitted through the REST API the way {@code flink run} does, against the embedded Kafka,
 * PostgreSQL and S3. Catches the classloading and shading mistakes that a MiniCluster hides.
 */
class ClusterSubmissionITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

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
            try (S3BlobStore s3 = new S3BlobStore(c.s3())) {
                s3.client()
                        .putObject(
                                b -> b.bucket(bucket).key("uploads/cluster-user/photo.jpg"),
                                RequestBody.fromBytes(SampleImages.jpeg(320, 240)));
            }
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
            produce(stack.kafkaBootstrapServers(), c.get(ConfigKeys.KAFKA_TOPIC_EVENTS), values);

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
                Map<String, String> rows =
                        awaitRows(stack, expected.size(), Duration.ofMinutes(3), flink, jobId);
                assertThat(rows).isEqualTo(expected);
                assertThat(flink.jobState(jobId)).isEqualTo("RUNNING");
                awaitStats(stack, expected.size(), Duration.ofMinutes(1));
            } finally {
                flink.cancel(jobId);
            }
        }
    }

    private static String event(List<byte[]> values, String field, String value) throws Exception {
        String jobId = UUID.randomUUID().toString();
        ObjectNode e =
                JSON.createObjectNode()
                        .put("job_id", jobId)
                        .put("user_id", "cluster-user")
                        .put(field, value);
        values.add(JSON.writeValueAsBytes(e));
        return jobId;
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
            LocalStack stack, int n, Duration timeout, StandaloneFlinkCluster flink, String jobId)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, String> rows = Map.of();
        while (System.nanoTime() < deadline) {
            rows =
                    query(
                            stack,
                            "SELECT job_id, status || ':' || coalesce(error_code, 'null')"
                                    + " FROM image_process_jobs WHERE status IN ('completed', 'failed')");
            if (rows.size() >= n) {
                return rows;
            }
            String state = flink.jobState(jobId);
            assertThat(state)
                    .as("job state (logs in %s)", flink.logDir())
                    .isIn("CREATED", "INITIALIZING", "RUNNING");
            Thread.sleep(1000);
        }
        throw new AssertionError(
                "saw " + rows.size() + " of " + n + " rows; logs in " + flink.logDir());
    }

    private static void awaitStats(LocalStack stack, int total, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, String> stats =
                    query(stack, "SELECT 'all', sum(total_jobs)::text FROM processing_stats");
            if (String.valueOf(total).equals(stats.get("all"))) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("processing_stats never reached " + total + " jobs");
    }

    private static Map<String, String> query(LocalStack stack, String sql) throws Exception {
        Map<String, String> out = new HashMap<>();
        try (Connection conn = DriverManager.getConnection(stack.jdbcUrl(), "rmbg", "rmbg");
                ResultSet rs = conn.createStatement().executeQuery(sql)) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    private static void produce(String bootstrap, String topic, List<byte[]> values)
            throws Exception {
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                bootstrap,
                                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                                Integer.toString(EmbeddedKafka.MAX_MESSAGE_BYTES)),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            for (byte[] v : values) {
                producer.send(new ProducerRecord<>(topic, v)).get();
            }
        }
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
