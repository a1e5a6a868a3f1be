package io.rmbg.core.records;

import io.rmbg.core.error.ErrorCode;

/**
 * A record that cannot become a job (no usable job id or user id): its original bytes go to the
 * dead-letter topic with the reason in headers (docs/contracts.md §2).
 *
 * @param valueUri where the original bytes were stored instead, when they were too large for the
 *     topic ({@code source.value()} is then empty); {@code null} when they travel on the topic
 */
public record DeadLetter(
        SourceRecord source, ErrorCode errorCode, String errorMessage, String valueUri) {

    public DeadLetter(SourceRecord source, ErrorCode errorCode, String errorMessage) {
        this(source, errorCode, errorMessage, null);
    }

    /** This dead letter with its value moved to {@code uri}. */
    public DeadLetter offloadedTo(String uri) {
        SourceRecord s = source;
        return new DeadLetter(
                new SourceRecord(
                        s.topic(), s.partition(), s.offset(), s.timestampMillis(), new byte[0]),
                errorCode,
                errorMessage,
                uri);
    }
}
