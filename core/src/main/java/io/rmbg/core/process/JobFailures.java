package io.rmbg.core.process;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.JobResult;
import io.rmbg.core.records.StageTimings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * What a failed job becomes. A {@link ProcessingException} is the job's own failure and becomes a
 * failed row with its code; any other exception is a bug met by one image and becomes {@code
 * INFERENCE}. An {@link Error} (out of memory above all) is not the image's fault and says the
 * slot's state is unknown: it must fail the task, so Flink restarts it, never a row. The exception
 * is {@link StackOverflowError}: a decoder recursing on one crafted image unwinds cleanly, and
 * failing the task for it would replay that image forever.
 */
final class JobFailures {
    private static final Logger LOG = LoggerFactory.getLogger(JobFailures.class);

    private JobFailures() {}

    /** The failure behind the wrappers a future chain adds. */
    static Throwable cause(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** Whether {@code error} must fail the task instead of producing a failed row. */
    static boolean failsTheTask(Throwable error) {
        Throwable cause = cause(error);
        return cause instanceof Error && !(cause instanceof StackOverflowError);
    }

    /**
     * The failed result of {@code event} for {@code error}.
     *
     * @throws IllegalArgumentException for an error that {@link #failsTheTask}
     */
    static JobResult failedResult(ImageEvent event, Throwable error, long nowMillis) {
        return failedResult(event, error, null, nowMillis);
    }

    /**
     * The failed result of {@code event} for {@code error}; {@code decoded} (or null) is how far
     * the job got: its stored original, size and timings stay in the result.
     *
     * @throws IllegalArgumentException for an error that {@link #failsTheTask}
     */
    static JobResult failedResult(
            ImageEvent event, Throwable error, DecodedImage decoded, long nowMillis) {
        Throwable cause = cause(error);
        if (failsTheTask(cause)) {
            throw new IllegalArgumentException("an Error fails the task, not the job", cause);
        }
        if (cause instanceof ProcessingException pe) {
            return failed(event, decoded, pe.code(), pe.getMessage(), nowMillis);
        }
        LOG.warn(
                "Job {} from {} failed unexpectedly", event.jobId(), event.sourcePosition(), cause);
        return failed(
                event,
                decoded,
                ErrorCode.INFERENCE,
                "unexpected " + cause.getClass().getSimpleName() + ": " + cause.getMessage(),
                nowMillis);
    }

    /** A failed result that keeps the stored original of {@code decoded}, when there is one. */
    static JobResult failed(
            ImageEvent event,
            DecodedImage decoded,
            ErrorCode code,
            String message,
            long nowMillis) {
        if (decoded == null) {
            return JobResult.failed(event, code, message, nowMillis);
        }
        StageTimings timings =
                new StageTimings(
                        Math.max(0, decoded.startedAtMillis() - event.receivedAtMillis()),
                        decoded.fetchMs(),
                        decoded.decodeMs(),
                        0,
                        0,
                        0,
                        decoded.storeMs());
        return JobResult.failed(
                event,
                code,
                message,
                decoded.original(),
                decoded.image().width(),
                decoded.image().height(),
                nowMillis,
                timings);
    }
}
