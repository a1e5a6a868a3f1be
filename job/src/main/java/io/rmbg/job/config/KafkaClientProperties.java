package io.rmbg.job.config;

import java.util.Map;
import java.util.TreeMap;

/**
 * {@code kafka.properties.*}: Kafka client settings passed through to the source and both Kafka
 * sinks ({@code kafka.properties.security.protocol=SASL_SSL}), except those the job sets itself.
 */
final class KafkaClientProperties {
    private KafkaClientProperties() {}

    /** Settings the job derives itself; passing them through would silently fight the job's. */
    private static final Map<String, String> MANAGED =
            Map.of(
                    "bootstrap.servers",
                    ConfigKeys.KAFKA_BOOTSTRAP_SERVERS,
                    "group.id",
                    ConfigKeys.KAFKA_GROUP_ID,
                    "max.partition.fetch.bytes",
                    ConfigKeys.KAFKA_MAX_FETCH_BYTES,
                    "fetch.max.bytes",
                    ConfigKeys.KAFKA_MAX_FETCH_BYTES,
                    "max.request.size",
                    ConfigKeys.IMAGE_MAX_INLINE_BYTES + " (dead letters hold whole inline images)",
                    "key.deserializer",
                    "the job's own deserializer",
                    "value.deserializer",
                    "the job's own deserializer",
                    "key.serializer",
                    "the job's own serializer",
                    "value.serializer",
                    "the job's own serializer",
                    "transactional.id",
                    "the job's at-least-once sinks, which use no transactions");

    /** The {@code kafka.properties.*} entries of {@code settings}, prefix removed, checked. */
    static Map<String, String> from(Map<String, String> settings) {
        Map<String, String> props = new TreeMap<>();
        settings.forEach(
                (k, v) -> {
                    if (k.startsWith(ConfigKeys.KAFKA_PROPERTIES_PREFIX)) {
                        props.put(k.substring(ConfigKeys.KAFKA_PROPERTIES_PREFIX.length()), v);
                    }
                });
        props.keySet().forEach(KafkaClientProperties::check);
        return props;
    }

    private static void check(String name) {
        String instead = MANAGED.get(name);
        if (instead != null) {
            throw new IllegalArgumentException(
                    ConfigKeys.KAFKA_PROPERTIES_PREFIX
                            + name
                            + " cannot be passed through; it is set from "
                            + instead);
        }
        if (name.isBlank()) {
            throw new IllegalArgumentException(
                    ConfigKeys.KAFKA_PROPERTIES_PREFIX
                            + " needs a Kafka client setting's name after it, such as security.protocol");
        }
    }
}
