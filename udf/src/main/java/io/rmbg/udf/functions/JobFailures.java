package io.rmbg.udf.functions;

import io.rmbg.udf.error.ErrorCode;
import io.rmbg.udf.error.ProcessingException;
import io.rmbg.udf.records.ImageEvent;
import io.rmbg.udf.records.JobResult;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
        Throwable cause = cause(error);
        if (failsTheTask(cause)) {
            throw new IllegalArgumentException("an Error fails the task, not the job", cause);
        }
        if (cause instanceof ProcessingException pe) {
            return JobResult.failed(event, pe.code(), pe.getMessage(), nowMillis);
        }
        LOG.warn("Job {} from {} failed unexpectedly", event.jobId(), event.sourcePosition(), cause);
        return JobResult.failed(event, ErrorCode.INFERENCE,
                "unexpected " + cause.getClass().getSimpleName() + ": " + cause.getMessage(), nowMillis);
    }
}
