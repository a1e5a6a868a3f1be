package io.rmbg.local;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rmbg.job.RmbgJob;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.testkit.SyntheticModels;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Outages of the real servers while the job runs: the S3 server gone for 20 s, PostgreSQL stopped
 * and restarted, the Kafka broker restarted. The job backs off and recovers; every event still ends
 * as exactly one completed row.
 */
class OutageITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration S3_OUTAGE = Duration.ofSeconds(20);

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir Path dir;

    private final Map<String, String> expected = new HashMap<>();
    private int sent;

    @Test
    void theJobRidesOutOutagesOfEveryServer() throws Exception {
        Path model = dir.resolve("colour-key-320.onnx");
        SyntheticModels.writeColourKeyModel(model, 320);
        PipelineConfig base =
                PipelineConfig.builder()
                        .set(ConfigKeys.MODEL_PATH, model.toString())
                        .set(ConfigKeys.MODEL_PROFILE, "u2net")
                        .set(ConfigKeys.MODEL_INTRA_OP_THREADS, 1)
                        .set(ConfigKeys.KAFKA_STARTING_OFFSETS, "earliest")
                        .set(ConfigKeys.CHECKPOINT_INTERVAL_MS, 1000)
                        .set(ConfigKeys.STORAGE_RETRY_BUDGET_MS, 60_000)
                        .set(ConfigKeys.JDBC_MAX_RETRIES, 2)
                        .build();
        try (LocalStack stack =
                LocalStack.start(LocalStack.Options.ephemeral(dir.resolve("stack")), base)) {
            PipelineConfig config = stack.config();
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(
                            RmbgJob.jobConfiguration(config));
            env.setParallelism(2);
            RmbgJob.configure(env, config);
            RmbgJob.pipeline(config).build(env, config);
            JobClient job = env.executeAsync("rmbg-outages");
            try {
                send(stack, 40);
                awaitRows(stack, Duration.ofMinutes(2));

                // S3 unreachable for 20 s while images arrive: blob writes wait and retry.
                stack.stopS3();
                send(stack, 40);
                Thread.sleep(S3_OUTAGE.toMillis());
                stack.startS3();
                awaitRows(stack, Duration.ofMinutes(2));

                // PostgreSQL stopped: the JDBC sink fails, the job restarts until it is back.
                stack.stopPostgres();
                send(stack, 40);
                Thread.sleep(10_000);
                stack.startPostgres();
                awaitRows(stack, Duration.ofMinutes(3));

                // The broker restarted: source and sinks reconnect.
                stack.stopKafka();
                Thread.sleep(3_000);
                stack.startKafka();
                send(stack, 40);
                awaitRows(stack, Duration.ofMinutes(3));

                assertThat(rows(stack, config)).isEqualTo(expected);
            } finally {
                job.cancel().get();
            }
        }
    }

    private void send(LocalStack stack, int n) throws Exception {
        String topic = stack.config().get(ConfigKeys.KAFKA_TOPIC_EVENTS);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                stack.kafkaBootstrapServers()),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                String jobId = UUID.randomUUID().toString();
                // Each image different, so that every job really writes new blobs during an outage.
                byte[] image = SampleImages.png(32 + sent % 50, 32 + sent / 50);
                producer.send(
                                new ProducerRecord<>(
                                        topic,
                                        JSON.writeValueAsBytes(
                                                JSON.createObjectNode()
                                                        .put("job_id", jobId)
                                                        .put("user_id", "outage")
                                                        .put(
                                                                "image_base64",
                                                                Base64.getEncoder()
                                                                        .encodeToString(image)))))
                        .get();
                expected.put(jobId, "completed:null");
                sent++;
            }
        }
    }

    private void awaitRows(LocalStack stack, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        while (System.nanoTime() < deadline) {
            try {
                seen = rows(stack, stack.config()).size();
                if (seen >= expected.size()) {
                    return;
                }
            } catch (java.sql.SQLException notBackYet) {
                // PostgreSQL is still starting
            }
            Thread.sleep(1000);
        }
        throw new AssertionError(
                "saw " + seen + " of " + expected.size() + " rows within " + timeout);
    }

    private static Map<String, String> rows(LocalStack stack, PipelineConfig config)
            throws Exception {
        Map<String, String> rows = new HashMap<>();
        try (Connection c =
                        DriverManager.getConnection(
                                stack.jdbcUrl(),
                                config.get(ConfigKeys.JDBC_USER),
                                config.get(ConfigKeys.JDBC_PASSWORD));
                ResultSet rs =
                        c.createStatement()
                                .executeQuery(
                                        "SELECT job_id, status || ':' || coalesce(error_code, 'null')"
                                                + " || coalesce(' (' || error_message || ')', '') FROM image_process_jobs")) {
            while (rs.next()) {
                rows.put(rs.getString(1), rs.getString(2));
            }
        }
        return rows;
    }
}
