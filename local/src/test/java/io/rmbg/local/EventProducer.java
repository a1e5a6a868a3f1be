package io.rmbg.local;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * Puts records on the embedded broker for the ITCases: bytes in, as large as the broker takes
 * ({@link EmbeddedKafka#MAX_MESSAGE_BYTES}), each send acknowledged before the next unless sent
 * with {@link #sendAsync}.
 */
final class EventProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;

    EventProducer(String bootstrapServers) {
        this(bootstrapServers, Map.of());
    }

    /** With {@code settings} on top of the defaults (e.g. a linger for thousands of sends). */
    EventProducer(String bootstrapServers, Map<String, String> settings) {
        Map<String, Object> config = new HashMap<>(settings);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                Integer.toString(EmbeddedKafka.MAX_MESSAGE_BYTES));
        producer =
                new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends {@code value} to {@code topic} and waits for the broker's acknowledgement. */
    RecordMetadata send(String topic, byte[] value) throws Exception {
        return send(new ProducerRecord<>(topic, value));
    }

    RecordMetadata send(ProducerRecord<byte[], byte[]> record) throws Exception {
        return producer.send(record).get();
    }

    /** Sends each record in order, each acknowledged before the next. */
    void sendAll(List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        for (ProducerRecord<byte[], byte[]> r : records) {
            send(r);
        }
    }

    Future<RecordMetadata> sendAsync(ProducerRecord<byte[], byte[]> record) {
        return producer.send(record);
    }

    void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }

    /** Sends each record in order on a producer of its own. */
    static void sendAll(String bootstrapServers, List<ProducerRecord<byte[], byte[]>> records)
            throws Exception {
        try (EventProducer producer = new EventProducer(bootstrapServers)) {
            producer.sendAll(records);
        }
    }
}
