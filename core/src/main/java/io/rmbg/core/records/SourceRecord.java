package io.rmbg.core.records;

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

    /**
     * The record at {@link #position()} {@code position} (Kafka topic names hold neither '/' nor
     * '@'), with {@code value}; an unreadable position keeps its text as the topic, at -1/-1.
     */
    public static SourceRecord at(String position, long timestampMillis, byte[] value) {
        int slash = position.lastIndexOf('/');
        int at = position.lastIndexOf('@');
        if (slash > 0 && at > slash) {
            try {
                return new SourceRecord(
                        position.substring(0, slash),
                        Integer.parseInt(position.substring(slash + 1, at)),
                        Long.parseLong(position.substring(at + 1)),
                        timestampMillis,
                        value);
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        return new SourceRecord(position, -1, -1, timestampMillis, value);
    }
}
