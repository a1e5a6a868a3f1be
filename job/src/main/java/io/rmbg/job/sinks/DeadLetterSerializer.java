package io.rmbg.job.sinks;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

import io.rmbg.core.event.Text;
import io.rmbg.core.records.DeadLetter;
import io.rmbg.core.records.SourceRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

import java.util.ArrayList;
import java.util.List;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Writes an unusable record to the dead-letter topic: the original value bytes unchanged, the
 * reason and the record's origin in headers (docs/contracts.md §2). A value too large for the topic
 * was stored in S3 by {@link io.rmbg.job.functions.OffloadLargeDeadLetters}: the record is then
 * empty and header {@code value_uri} names the stored bytes.
 */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;

    /** Bounds the headers: with them, a dead letter fits the limit the offloading step keeps. */
    public static final int MESSAGE_CHARS = 1000;

    private final String topic;

    public DeadLetterSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            DeadLetter letter, KafkaSinkContext context, Long timestamp) {
        SourceRecord source = letter.source();
        List<Header> headers =
                new ArrayList<>(
                        List.of(
                                header("error_code", letter.errorCode().name()),
                                header(
                                        "error_message",
                                        Text.storable(letter.errorMessage(), MESSAGE_CHARS)),
                                header("source_topic", source.topic()),
                                header("source_partition", Integer.toString(source.partition())),
                                header("source_offset", Long.toString(source.offset()))));
        if (letter.valueUri() != null) {
            headers.add(header("value_uri", letter.valueUri()));
        }
        return new ProducerRecord<>(topic, null, timestamp, null, source.value(), headers);
    }

    private static Header header(String key, String value) {
        return new RecordHeader(key, value.getBytes(UTF_8));
    }
}
