package io.rmbg.local;

import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;

import io.rmbg.job.RmbgJob;
import io.rmbg.job.RmbgPipeline;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

/**
 * The harness of every end-to-end pipeline ITCase: the embedded stack (a KRaft broker, PostgreSQL,
 * an S3 server) started once per class with the settings the subclass gives, and the real job
 * submitted to a shared {@link MiniClusterExtension} at parallelism {@value #PARALLELISM}. A
 * subclass says what differs: its settings (the one required step), and where it needs them, the
 * job's cluster configuration and the pipeline it runs.
 *
 * <pre>{@code
 * class MyITCase extends PipelineITCaseBase {
 *     PipelineConfig.Builder settings(Path dataDir) { return PipelineConfig.builder()…; }
 *
 *     @Test
 *     void …() throws Exception {
 *         startJob("rmbg-my-it");
 *         send(Events.bytes(Events.inline("u1", SampleImages.png(64, 64))));
 *         db().awaitTerminalRows(1, Duration.ofMinutes(2));
 *     }
 * }
 * }</pre>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PipelineITCaseBase {
    static final int PARALLELISM = 2;

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(PARALLELISM)
                            .build());

    private Path dataDir;
    private LocalStack stack;
    private PipelineConfig config;
    private String webInterfaceUrl;
    private JobClient job;

    /**
     * The job's settings for this class: the model, checkpoint interval, statistics timings. The
     * stack adds its servers' addresses ({@link LocalStack#config()}).
     */
    abstract PipelineConfig.Builder settings(Path dataDir) throws Exception;

    /** The cluster configuration the job is submitted with (none: the MiniCluster's defaults). */
    Configuration jobConfiguration(PipelineConfig config) {
        return new Configuration();
    }

    /** The pipeline the job runs: the production one unless a test injects failures. */
    RmbgPipeline pipeline(PipelineConfig config) {
        return RmbgJob.pipeline(config);
    }

    @BeforeAll
    void startStack(@TempDir Path dir) throws Exception {
        dataDir = dir;
        stack =
                LocalStack.start(
                        LocalStack.Options.ephemeral(dataDir.resolve("stack")),
                        settings(dataDir).build());
        config = stack.config();
    }

    @BeforeEach
    void attachCluster(@InjectClusterClient ClusterClient<?> client) {
        webInterfaceUrl = client.getWebInterfaceURL();
    }

    /** Builds the job as {@code RmbgJob.main} does and submits it to the MiniCluster. */
    JobClient startJob(String name) throws Exception {
        return startJob(name, PARALLELISM, jobConfiguration(config));
    }

    /**
     * As {@link #startJob(String)} at {@code parallelism}, with {@code configuration} (e.g. a
     * savepoint to restore from).
     */
    JobClient startJob(String name, int parallelism, Configuration configuration) throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(parallelism);
        RmbgJob.configure(env, config);
        pipeline(config).build(env, config);
        job = env.executeAsync(name);
        return job;
    }

    @AfterEach
    void cancelJob() throws Exception {
        if (job != null) {
            JobClient running = job;
            job = null;
            running.cancel().get();
        }
    }

    @AfterAll
    void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    /** The class's own directory: the stack's data lies in its {@code stack/}. */
    Path dataDir() {
        return dataDir;
    }

    LocalStack stack() {
        return stack;
    }

    PipelineConfig config() {
        return config;
    }

    StackQueries db() {
        return new StackQueries(config);
    }

    /** The running job's REST API, as the web UI reads it. */
    FlinkRest rest() {
        return new FlinkRest(webInterfaceUrl, job.getJobID().toString());
    }

    String eventsTopic() {
        return config.get(ConfigKeys.KAFKA_TOPIC_EVENTS);
    }

    String bucket() {
        return config.get(ConfigKeys.S3_BUCKET);
    }

    EventProducer producer() {
        return new EventProducer(stack.kafkaBootstrapServers());
    }

    /** Sends each value to the events topic, in order, each acknowledged. */
    void send(byte[]... values) throws Exception {
        try (EventProducer producer = producer()) {
            for (byte[] value : values) {
                producer.send(eventsTopic(), value);
            }
        }
    }

    /** What the dead-letter topic holds, waiting for at least {@code atLeast} records. */
    List<ConsumerRecord<byte[], byte[]>> deadLetters(int atLeast) {
        return TopicRecords.readAll(
                stack.kafkaBootstrapServers(), config.get(ConfigKeys.KAFKA_TOPIC_DLQ), atLeast);
    }

    /** What the traces topic (image-results) holds, waiting for at least {@code atLeast}. */
    List<ConsumerRecord<byte[], byte[]>> traces(int atLeast) {
        return TopicRecords.readAll(
                stack.kafkaBootstrapServers(), config.get(ConfigKeys.KAFKA_TOPIC_RESULTS), atLeast);
    }
}
