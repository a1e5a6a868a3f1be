package io.rmbg.core.error;

/**
 * Why a job failed. The names are a contract (docs/contracts.md §2): they are stored in {@code
 * image_process_jobs.error_code} and DLQ headers, so rename nothing; add new codes at the end.
 */
public enum ErrorCode {
    INVALID_EVENT,
    SOURCE_NOT_FOUND,
    SOURCE_UNREADABLE,
    IMAGE_TOO_LARGE,
    IMAGE_DECODE,
    UNSUPPORTED_FORMAT,
    INFERENCE,
    INFERENCE_TIMEOUT,
    STORAGE,
    /** {@code image_uri} names a location outside {@code source.allowed} (see SourcePolicy). */
    SOURCE_NOT_ALLOWED,
    /**
     * The event's job_id already names a job of another user (dead letter; that job is untouched).
     */
    JOB_ID_CONFLICT
}
