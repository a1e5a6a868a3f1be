package io.rmbg.job;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.rmbg.core.records.DeadLetter;
import io.rmbg.core.records.JobResult;
import io.rmbg.core.records.SourceRecord;
import io.rmbg.job.config.JdbcSettings;
import io.rmbg.job.config.KafkaSettings;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.job.sinks.CloseSafeJdbcSink;
import io.rmbg.job.sinks.DailyStatsStatement;
import io.rmbg.job.sinks.DeadLetterSerializer;
import io.rmbg.job.sinks.ErrorStatsStatement;
import io.rmbg.job.sinks.JobResultSerializer;
import io.rmbg.job.sinks.JobRowStatement;
import io.rmbg.job.sinks.ReconcileDayStatement;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * Entry point for {@code flink run}: wires Kafka, PostgreSQL and S3 into {@link RmbgPipeline}.
 *
 * <pre>{@code
 * ORT_DISABLE_TELEMETRY=1 flink run job/target/rmbg-job-*-flink.jar --config conf/job.properties
 * }</pre>
 */
public final class RmbgJob {
    public static final String JOB_NAME = "rmbg-flink: background removal";

    private RmbgJob() {}

    public static void main(String[] args) throws Exception {
        PipelineConfig config = PipelineConfig.fromArgs(args, System.getenv());
        ModelPreflight.check(config); // a model that cannot load fails here, not in a restart loop
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(jobConfiguration(config));
        configure(env, config);
        pipeline(config).build(env, config);
        env.execute(JOB_NAME);
    }

    /**
     * Restarts, as conf/config.yaml sets them for the cluster (FlinkConfigKeysTest checks they
     * agree): a failure restarts the job after 1, 2, 4, … s up to 1 min between attempts, without
     * limit, so an outage longer than the sinks' retries means a few spaced-out restarts that
     * recover once the dependency is back, not a failover loop; an hour without failure resets the
     * back-off. Checkpoints and upserts make every restart lose and double nothing.
     */
    public static Configuration jobConfiguration(PipelineConfig config) {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF,
                Duration.ofSeconds(1));
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF,
                Duration.ofMinutes(1));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER, 2.0);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR, 0.1);
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD,
                Duration.ofHours(1));
        return conf;
    }

    public static void configure(StreamExecutionEnvironment env, PipelineConfig config) {
        env.enableCheckpointing(config.state().checkpointInterval().toMillis());
    }

    /** The production pipeline: Kafka in, PostgreSQL and Kafka out. */
    public static RmbgPipeline pipeline(PipelineConfig config) {
        return new RmbgPipeline(kafkaSource(config), sinks(config));
    }

    public static PipelineSinks sinks(PipelineConfig config) {
        return new PipelineSinks(
                new CloseSafeJdbcSink<>(
                        jdbcSink(JobRowStatement.SQL, new JobRowStatement(), config)),
                resultsSink(config),
                deadLetterSink(config),
                new CloseSafeJdbcSink<>(
                        jdbcSink(DailyStatsStatement.SQL, new DailyStatsStatement(), config)),
                new CloseSafeJdbcSink<>(
                        jdbcSink(ErrorStatsStatement.SQL, new ErrorStatsStatement(), config)),
                new CloseSafeJdbcSink<>(
                        jdbcSink(
                                ReconcileDayStatement.SQL,
                                new ReconcileDayStatement(
                                        config.stats().timeZone(), config.stats().maxClockSkew()),
                                config.jdbc().forReconcile())));
    }

    public static KafkaSource<SourceRecord> kafkaSource(PipelineConfig config) {
        KafkaSettings kafka = config.kafka();
        return KafkaSource.<SourceRecord>builder()
                .setProperties(sourceProperties(config))
                .setBootstrapServers(kafka.bootstrapServers())
                .setTopics(kafka.eventsTopic())
                .setGroupId(kafka.groupId())
                .setStartingOffsets(startingOffsets(kafka.startingOffsets()))
                .setDeserializer(new io.rmbg.job.sources.SourceRecordDeserializer())
                .build();
    }

    /**
     * The source's Kafka client settings: {@code kafka.properties.*} (security and the like) over
     * the job's defaults, then the fetch sizes the job needs. The builder's own settings (servers,
     * group, deserializer) are applied after these.
     */
    public static Properties sourceProperties(PipelineConfig config) {
        String fetchBytes = Long.toString(config.kafka().maxFetchBytes());
        Properties props = new Properties();
        props.setProperty("partition.discovery.interval.ms", "60000");
        props.putAll(config.kafkaProperties());
        // Inline images make records of several MB: the default 1 MB partition fetch would stall.
        props.setProperty("max.partition.fetch.bytes", fetchBytes);
        props.setProperty("fetch.max.bytes", fetchBytes);
        return props;
    }

    /** A sink's Kafka client settings: {@code kafka.properties.*} plus what the sink needs. */
    public static Properties sinkProperties(
            PipelineConfig config, Map<String, String> sinkSettings) {
        Properties props = new Properties();
        props.putAll(config.kafkaProperties());
        props.putAll(sinkSettings);
        return props;
    }

    private static OffsetsInitializer startingOffsets(String mode) {
        return switch (mode) {
            case "earliest" -> OffsetsInitializer.earliest();
            case "latest" -> OffsetsInitializer.latest();
            default -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        };
    }

    /** An at-least-once JDBC sink; {@code statement} must be an idempotent upsert. */
    public static <T> JdbcSink<T> jdbcSink(
            String sql, JdbcStatementBuilder<T> statement, PipelineConfig config) {
        return jdbcSink(sql, statement, config.jdbc());
    }

    private static <T> JdbcSink<T> jdbcSink(
            String sql, JdbcStatementBuilder<T> statement, JdbcSettings jdbc) {
        return JdbcSink.<T>builder()
                .withQueryStatement(sql, statement)
                .withExecutionOptions(
                        JdbcExecutionOptions.builder()
                                .withBatchSize(jdbc.batchSize())
                                .withBatchIntervalMs(jdbc.batchIntervalMs())
                                .withMaxRetries(jdbc.maxRetries())
                                .build())
                .buildAtLeastOnce(jdbcConnection(jdbc));
    }

    /**
     * How every JDBC sink connects: with {@link JdbcSettings#connectionProperties()}'s timeouts, so
     * that a hung database fails a flush (which the sink retries and the restart strategy rides
     * out) instead of blocking the task, and its checkpoints, for ever.
     */
    public static JdbcConnectionOptions jdbcConnection(JdbcSettings jdbc) {
        JdbcConnectionOptions.JdbcConnectionOptionsBuilder options =
                new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                        .withUrl(jdbc.url())
                        .withDriverName("org.postgresql.Driver")
                        .withUsername(jdbc.user())
                        .withPassword(jdbc.password())
                        // The retry's "is the connection still alive?" check: 60 s by default.
                        .withConnectionCheckTimeoutSeconds(checkSeconds(jdbc));
        jdbc.connectionProperties().forEach(options::withProperty);
        return options.build();
    }

    private static int checkSeconds(JdbcSettings jdbc) {
        long ms =
                jdbc.connectTimeout().isZero()
                        ? JdbcSettings.CONNECT_TIMEOUT_MS.defaultValue()
                        : jdbc.connectTimeout().toMillis();
        return (int) Math.max(1, (ms + 999) / 1000);
    }

    public static Sink<JobResult> resultsSink(PipelineConfig config) {
        return KafkaSink.<JobResult>builder()
                .setKafkaProducerConfig(sinkProperties(config, Map.of()))
                .setBootstrapServers(config.kafka().bootstrapServers())
                .setRecordSerializer(new JobResultSerializer(config.kafka().resultsTopic()))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    public static Sink<DeadLetter> deadLetterSink(PipelineConfig config) {
        // Dead letters carry whole inline images: allow records as large as the topic takes.
        String maxRequest = Long.toString(config.imageLimits().maxInlineBytes() * 2);
        return KafkaSink.<DeadLetter>builder()
                .setKafkaProducerConfig(
                        sinkProperties(config, Map.of("max.request.size", maxRequest)))
                .setBootstrapServers(config.kafka().bootstrapServers())
                .setRecordSerializer(new DeadLetterSerializer(config.kafka().deadLetterTopic()))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }
}
