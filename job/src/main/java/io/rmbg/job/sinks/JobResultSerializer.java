package io.rmbg.job.sinks;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

import io.rmbg.core.records.JobResult;
import io.rmbg.core.records.JobResultJson;
import org.apache.kafka.clients.producer.ProducerRecord;

import static java.nio.charset.StandardCharsets.UTF_8;

/** Writes each job's JSON trace to {@code image-results}, keyed by job id. */
public final class JobResultSerializer implements KafkaRecordSerializationSchema<JobResult> {
    private static final long serialVersionUID = 1L;

    private final String topic;

    public JobResultSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            JobResult result, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(
                topic,
                null,
                timestamp,
                result.jobId().getBytes(UTF_8),
                JobResultJson.toBytes(result));
    }
}
