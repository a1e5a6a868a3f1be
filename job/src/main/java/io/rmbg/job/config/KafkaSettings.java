package io.rmbg.job.config;

import org.apache.flink.configuration.ConfigOption;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.apache.flink.configuration.ConfigOptions.key;

/**
 * {@code kafka.*}: where events come from and results and dead letters go.
 *
 * @param startingOffsets {@code earliest}, {@code latest} or {@code committed}
 * @param clientProperties {@code kafka.properties.*}, prefix removed, for every Kafka client
 */
public record KafkaSettings(
        String bootstrapServers,
        String eventsTopic,
        String resultsTopic,
        String deadLetterTopic,
        String groupId,
        String startingOffsets,
        long maxFetchBytes,
        long deadLetterMaxValueBytes,
        Map<String, String> clientProperties)
        implements Serializable {

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            key(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS)
                    .stringType()
                    .defaultValue("localhost:9092")
                    .withDescription("Kafka brokers, host:port[,host:port…]");
    public static final ConfigOption<String> TOPIC_EVENTS =
            key(ConfigKeys.KAFKA_TOPIC_EVENTS).stringType().defaultValue("image-events");
    public static final ConfigOption<String> TOPIC_RESULTS =
            key(ConfigKeys.KAFKA_TOPIC_RESULTS).stringType().defaultValue("image-results");
    public static final ConfigOption<String> TOPIC_DLQ =
            key(ConfigKeys.KAFKA_TOPIC_DLQ).stringType().defaultValue("image-events-dlq");
    public static final ConfigOption<String> GROUP_ID =
            key(ConfigKeys.KAFKA_GROUP_ID).stringType().defaultValue("rmbg-flink");
    public static final ConfigOption<String> STARTING_OFFSETS =
            key(ConfigKeys.KAFKA_STARTING_OFFSETS)
                    .stringType()
                    .defaultValue("committed")
                    .withDescription("committed (earliest for a new group), earliest or latest");
    public static final ConfigOption<Long> MAX_FETCH_BYTES =
            key(ConfigKeys.KAFKA_MAX_FETCH_BYTES)
                    .longType()
                    .defaultValue(16L * 1024 * 1024)
                    .withDescription("consumer fetch sizes (records hold inline images)");

    /** Kafka's default topic limit is 1 MiB; headers and batch overhead need the rest. */
    public static final ConfigOption<Long> DLQ_MAX_VALUE_BYTES =
            key(ConfigKeys.KAFKA_DLQ_MAX_VALUE_BYTES)
                    .longType()
                    .defaultValue(1_000_000L)
                    .withDescription(
                            "a larger dead letter is stored in S3 and sent with a value_uri header");

    static final List<ConfigOption<?>> OPTIONS =
            List.of(
                    BOOTSTRAP_SERVERS,
                    TOPIC_EVENTS,
                    TOPIC_RESULTS,
                    TOPIC_DLQ,
                    GROUP_ID,
                    STARTING_OFFSETS,
                    MAX_FETCH_BYTES,
                    DLQ_MAX_VALUE_BYTES);

    private static final List<String> STARTING_OFFSET_MODES =
            List.of("earliest", "latest", "committed");

    public KafkaSettings {
        clientProperties = Map.copyOf(clientProperties);
    }

    static KafkaSettings from(SettingValues values) {
        String offsets = values.get(STARTING_OFFSETS);
        if (!STARTING_OFFSET_MODES.contains(offsets)) {
            throw new IllegalArgumentException(
                    ConfigKeys.KAFKA_STARTING_OFFSETS
                            + " must be earliest, latest or committed, got '"
                            + offsets
                            + "'");
        }
        return new KafkaSettings(
                values.get(BOOTSTRAP_SERVERS),
                values.get(TOPIC_EVENTS),
                values.get(TOPIC_RESULTS),
                values.get(TOPIC_DLQ),
                values.get(GROUP_ID),
                offsets,
                values.get(MAX_FETCH_BYTES),
                values.get(DLQ_MAX_VALUE_BYTES),
                KafkaClientProperties.from(values.asMap()));
    }

    /** A fresh copy of {@link #clientProperties()} for a Kafka client builder. */
    public Properties properties() {
        Properties props = new Properties();
        props.putAll(clientProperties);
        return props;
    }

    @Override
    public String toString() {
        return "KafkaSettings{"
                + bootstrapServers
                + ", topics "
                + List.of(eventsTopic, resultsTopic, deadLetterTopic)
                + ", group "
                + groupId
                + ", "
                + clientProperties.size()
                + " client properties}";
    }
}
