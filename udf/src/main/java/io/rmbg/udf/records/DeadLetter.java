package io.rmbg.udf.records;

import io.rmbg.udf.error.ErrorCode;

/**
 * A record that cannot become a job (no usable job id or user id): its original bytes go to the
 * dead-letter topic with the reason in headers (CONTRACTS.md §2).
 */
public record DeadLetter(SourceRecord source, ErrorCode errorCode, String errorMessage) {}
