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
 * @param reused whether the mask and cut-out are an earlier job's, found by the result reuse index
 *     instead of running the model (docs/contracts.md §3, §5)
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
        StageTimings timings,
        boolean reused) {

    public boolean isCompleted() {
        return status == JobStatus.COMPLETED;
    }

    /**
     * A result for {@code event} ending now with {@code status}: the job's ids, params, tags and
     * times come from the event; the rest from the builder's steps.
     *
     * <pre>{@code
     * JobResult.of(event, JobStatus.COMPLETED, now)
     *         .original(original).mask(mask).processed(cutOut)
     *         .size(width, height).model("isnet", version).timings(timings)
     *         .build();
     * }</pre>
     */
    public static Builder of(ImageEvent event, JobStatus status, long nowMillis) {
        return builder(event.jobId(), event.userId(), status)
                .originalPath(event.sourceReference())
                .params(event.paramsJson(), event.tags())
                .times(
                        event.createdAtMillis(),
                        nowMillis,
                        Math.max(0, nowMillis - event.receivedAtMillis()));
    }

    /** A result built field group by field group; unset groups are null (times 0). */
    public static Builder builder(String jobId, String userId, JobStatus status) {
        return new Builder(jobId, userId, status);
    }

    /** A failed job whose source was never stored: the row points at the event's source. */
    public static JobResult failed(
            ImageEvent event, ErrorCode code, String message, long nowMillis) {
        return of(event, JobStatus.FAILED, nowMillis).failure(code, message).build();
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
        return of(event, JobStatus.FAILED, nowMillis)
                .failure(code, message)
                .original(original)
                .size(width, height)
                .timings(timings)
                .build();
    }

    /** Builds a {@link JobResult} in named steps instead of twenty positional arguments. */
    public static final class Builder {
        private final String jobId;
        private final String userId;
        private final JobStatus status;
        private ErrorCode errorCode;
        private String errorMessage;
        private String originalPath;
        private BlobRef original;
        private BlobRef mask;
        private BlobRef processed;
        private Integer imageWidth;
        private Integer imageHeight;
        private Integer fileSizeKb;
        private String paramsJson;
        private String[] tags = new String[0];
        private long createdAtMillis;
        private long completedAtMillis;
        private long processingTimeMs;
        private String model;
        private String modelVersion;
        private StageTimings timings = StageTimings.NONE;
        private boolean reused;

        private Builder(String jobId, String userId, JobStatus status) {
            this.jobId = jobId;
            this.userId = userId;
            this.status = status;
        }

        public Builder failure(ErrorCode code, String message) {
            this.errorCode = code;
            this.errorMessage = message;
            return this;
        }

        /**
         * Where the row points when no original was stored ({@code image_uri} or {@code inline:}).
         */
        public Builder originalPath(String path) {
            this.originalPath = path;
            return this;
        }

        /**
         * The stored original; a non-null one also sets {@code original_path} and the file size.
         */
        public Builder original(BlobRef original) {
            this.original = original;
            if (original != null) {
                this.originalPath = original.uri();
                this.fileSizeKb = kib(original.bytes());
            }
            return this;
        }

        public Builder mask(BlobRef mask) {
            this.mask = mask;
            return this;
        }

        public Builder processed(BlobRef processed) {
            this.processed = processed;
            return this;
        }

        public Builder size(Integer width, Integer height) {
            this.imageWidth = width;
            this.imageHeight = height;
            return this;
        }

        public Builder fileSizeKb(Integer fileSizeKb) {
            this.fileSizeKb = fileSizeKb;
            return this;
        }

        public Builder params(String paramsJson, String[] tags) {
            this.paramsJson = paramsJson;
            this.tags = tags;
            return this;
        }

        public Builder times(long createdAtMillis, long completedAtMillis, long processingTimeMs) {
            this.createdAtMillis = createdAtMillis;
            this.completedAtMillis = completedAtMillis;
            this.processingTimeMs = processingTimeMs;
            return this;
        }

        public Builder model(String model, String modelVersion) {
            this.model = model;
            this.modelVersion = modelVersion;
            return this;
        }

        public Builder timings(StageTimings timings) {
            this.timings = timings;
            return this;
        }

        /** Marks the mask and cut-out as an earlier job's (result reuse). */
        public Builder reused(boolean reused) {
            this.reused = reused;
            return this;
        }

        public JobResult build() {
            return new JobResult(
                    jobId,
                    userId,
                    status,
                    errorCode,
                    errorMessage,
                    originalPath,
                    original,
                    mask,
                    processed,
                    imageWidth,
                    imageHeight,
                    fileSizeKb,
                    paramsJson,
                    tags,
                    createdAtMillis,
                    completedAtMillis,
                    processingTimeMs,
                    model,
                    modelVersion,
                    timings,
                    reused);
        }
    }

    public static Integer kib(long bytes) {
        return (int) ((bytes + 1023) / 1024);
    }
}
