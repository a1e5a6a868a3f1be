package io.rmbg.core.records;

import io.rmbg.core.error.ErrorCode;

/**
 * The terminal outcome of one job: the facts of its {@code image_process_jobs} row plus the blob
 * references and timings of its trace on {@code image-results} (docs/contracts.md §3, §5). Holds
 * references to blobs, never their bytes.
 *
 * @param originalPath {@code s3://} reference of the stored original, or the event's source
 *     reference ({@code image_uri} or {@code inline:}) when it was never stored
 * @param original the stored original, {@code null} when storing it did not happen
 * @param mask the stored mask, {@code null} on failure
 * @param processed the stored cut-out, {@code null} on failure
 * @param fileSizeKb the original's size in KiB (rounded up), {@code null} when unknown
 * @param processingTimeMs from the event entering the pipeline to this result being ready
 */
public record JobResult(
        String jobId,
        String userId,
        JobStatus status,
        ErrorCode errorCode,
        String errorMessage,
        String originalPath,
        BlobRef original,
        BlobRef mask,
        BlobRef processed,
        Integer imageWidth,
        Integer imageHeight,
        Integer fileSizeKb,
        String paramsJson,
        String[] tags,
        long createdAtMillis,
        long completedAtMillis,
        long processingTimeMs,
        String model,
        String modelVersion,
        StageTimings timings) {

    public boolean isCompleted() {
        return status == JobStatus.COMPLETED;
    }

    /** A failed job whose source was never stored: the row points at the event's source. */
    public static JobResult failed(
            ImageEvent event, ErrorCode code, String message, long nowMillis) {
        return failed(event, code, message, null, null, null, nowMillis, StageTimings.NONE);
    }

    /** A failed job; {@code original} and its size are kept when the original got that far. */
    public static JobResult failed(
            ImageEvent event,
            ErrorCode code,
            String message,
            BlobRef original,
            Integer width,
            Integer height,
            long nowMillis,
            StageTimings timings) {
        return new JobResult(
                event.jobId(),
                event.userId(),
                JobStatus.FAILED,
                code,
                message,
                original != null ? original.uri() : event.sourceReference(),
                original,
                null,
                null,
                width,
                height,
                original != null ? kib(original.bytes()) : null,
                event.paramsJson(),
                event.tags(),
                event.createdAtMillis(),
                nowMillis,
                Math.max(0, nowMillis - event.receivedAtMillis()),
                null,
                null,
                timings);
    }

    public static Integer kib(long bytes) {
        return (int) ((bytes + 1023) / 1024);
    }
}
