package io.rmbg.udf.records;

/**
 * One record as read from the {@code image-events} topic, before any parsing: the raw value bytes
 * travel on to the dead-letter topic unchanged when the record is unusable.
 */
public record SourceRecord(
        String topic, int partition, long offset, long timestampMillis, byte[] value) {

    /** {@code topic/partition@offset}, for log lines and messages. */
    public String position() {
        return topic + "/" + partition + "@" + offset;
    }
}
