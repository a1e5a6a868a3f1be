package io.rmbg.local;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static java.nio.charset.StandardCharsets.UTF_8;

/** Reads what a topic holds, for tests that compare committed output with input. */
final class TopicRecords {
    private TopicRecords() {}

    /**
     * Every record of {@code topic} from the beginning to its end offsets, waiting (up to 60 s)
     * until there are at least {@code atLeast}: a sink may still be committing.
     */
    static List<ConsumerRecord<byte[], byte[]>> readAll(
            String bootstrapServers, String topic, int atLeast) {
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                bootstrapServers,
                                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                                Integer.toString(EmbeddedKafka.MAX_MESSAGE_BYTES)),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic).stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline
                    && (out.size() < atLeast
                            || partitions.stream()
                                    .anyMatch(p -> consumer.position(p) < end.get(p)))) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    /** The last header {@code key} of {@code r} as text, or null when it has none. */
    static String header(ConsumerRecord<byte[], byte[]> r, String key) {
        return r.headers().lastHeader(key) == null
                ? null
                : new String(r.headers().lastHeader(key).value(), UTF_8);
    }
}
