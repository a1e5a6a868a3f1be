package io.rmbg.job.sources;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;

import io.rmbg.core.records.SourceRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Keeps every Kafka record as raw bytes with its position: parsing happens in the pipeline, where a
 * bad record becomes a dead letter instead of failing the source.
 */
public final class SourceRecordDeserializer
        implements KafkaRecordDeserializationSchema<SourceRecord> {
    private static final long serialVersionUID = 1L;
    private static final byte[] EMPTY = new byte[0];

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SourceRecord> out) {
        out.collect(
                new SourceRecord(
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        record.timestamp(),
                        record.value() == null ? EMPTY : record.value()));
    }

    @Override
    public TypeInformation<SourceRecord> getProducedType() {
        return TypeInformation.of(SourceRecord.class);
    }
}
