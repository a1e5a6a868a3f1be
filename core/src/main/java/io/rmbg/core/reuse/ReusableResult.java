package io.rmbg.core.reuse;

import io.rmbg.core.records.BlobRef;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.JobResult;
import io.rmbg.core.records.JobStatus;
import io.rmbg.core.records.StageTimings;

import java.util.List;

/**
 * What a later job needs of an earlier completed one to answer without the model: its three blobs,
 * the image's size, and the model that made the mask.
 */
public record ReusableResult(
        BlobRef original,
        BlobRef mask,
        BlobRef processed,
        int width,
        int height,
        String model,
        String modelVersion) {

    /** The reusable part of a completed result. */
    public static ReusableResult of(JobResult completed) {
        if (!completed.isCompleted()) {
            throw new IllegalArgumentException("only a completed job can be reused: " + completed);
        }
        return new ReusableResult(
                completed.original(),
                completed.mask(),
                completed.processed(),
                completed.imageWidth(),
                completed.imageHeight(),
                completed.model(),
                completed.modelVersion());
    }

    /** The blobs a reuse must find in the store. */
    public List<BlobRef> blobs() {
        return List.of(original, mask, processed);
    }

    /** {@code event}'s completed row, pointing at these blobs, marked {@code reused}. */
    public JobResult answer(ImageEvent event, long nowMillis, StageTimings timings) {
        return JobResult.of(event, JobStatus.COMPLETED, nowMillis)
                .original(original)
                .mask(mask)
                .processed(processed)
                .size(width, height)
                .model(model, modelVersion)
                .timings(timings)
                .reused(true)
                .build();
    }
}
