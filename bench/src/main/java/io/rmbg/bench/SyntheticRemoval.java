package io.rmbg.bench;

import org.apache.flink.streaming.api.functions.async.AsyncFunction;
import org.apache.flink.streaming.api.functions.async.ResultFuture;

import io.rmbg.core.records.BlobRef;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.JobResult;
import io.rmbg.core.records.JobStatus;

import java.util.List;

/**
 * Stands in for the model in the state measurement: every event completes at once with a result
 * shaped like a real one (three blob references, sizes, timings), so the stateful operators around
 * it see what they see in production, at a rate no model reaches.
 */
final class SyntheticRemoval implements AsyncFunction<ImageEvent, JobResult> {
    private static final long serialVersionUID = 1L;

    @Override
    public void asyncInvoke(ImageEvent event, ResultFuture<JobResult> out) {
        String sha = Integer.toHexString(event.jobId().hashCode());
        BlobRef blob =
                new BlobRef(
                        "s3://rmbg/processed/" + sha + ".png", sha, 2048, 640, 480, "image/png");
        long now = System.currentTimeMillis();
        out.complete(
                List.of(
                        JobResult.builder(event.jobId(), event.userId(), JobStatus.COMPLETED)
                                .originalPath(event.sourceReference())
                                .original(blob)
                                .mask(blob)
                                .processed(blob)
                                .size(640, 480)
                                .fileSizeKb(2)
                                .params(event.paramsJson(), event.tags())
                                .times(event.createdAtMillis(), now, 5)
                                .model("synthetic", "1")
                                .build()));
    }
}
