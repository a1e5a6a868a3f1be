package io.rmbg.core.process;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.JobResult;

import java.util.concurrent.CompletableFuture;

/**
 * One image handed to a {@link BackgroundRemover}: its {@link #result()}, and the way to give up on
 * it ({@link #timeOut}).
 */
public final class RemovalJob {
    static final String TIMEOUT_MESSAGE =
            "job did not finish within the async timeout; the model may be overloaded";

    private final ImageEvent event;
    private final JobInFlight inFlight = new JobInFlight();
    private final CompletableFuture<JobResult> result = new CompletableFuture<>();

    RemovalJob(ImageEvent event) {
        this.event = event;
    }

    /**
     * Completes once: with the job's row (completed or failed, a failure after the original was
     * stored keeps the original, its size and timings: docs/contracts.md §5), or exceptionally with
     * a JVM {@link Error} that must fail the task ({@link JobFailures#failsTheTask}).
     */
    public CompletableFuture<JobResult> result() {
        return result;
    }

    /**
     * Gives up on the job: its {@link #result()} becomes {@code INFERENCE_TIMEOUT} (keeping what
     * was stored) unless it has completed already, and the rest of its work is withdrawn: it leaves
     * the budget and model queues, and no stage starts nor blob is written for it afterwards.
     *
     * @return whether this call decided the result
     */
    public boolean timeOut(long nowMillis) {
        inFlight.cancellation().cancel("the job timed out (inference.timeout-ms)");
        return result.complete(
                JobFailures.failed(
                        event,
                        inFlight.decoded(),
                        ErrorCode.INFERENCE_TIMEOUT,
                        TIMEOUT_MESSAGE,
                        nowMillis));
    }

    ImageEvent event() {
        return event;
    }

    JobInFlight inFlight() {
        return inFlight;
    }
}
