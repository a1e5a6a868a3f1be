package io.rmbg.core.process;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.ImageParams;
import io.rmbg.core.records.JobResult;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A job's own failure becomes its row; an Error (out of memory) never does: it fails the task. */
class JobFailuresTest {
    private static final ImageEvent EVENT =
            new ImageEvent(
                    "8d7b1f4e-4f6b-3c8e-9d3a-0a1b2c3d4e5f",
                    "user",
                    "s3://b/k.jpg",
                    null,
                    ImageParams.DEFAULTS,
                    null,
                    new String[0],
                    0L,
                    0L,
                    "test/0@0");

    @Test
    void aProcessingExceptionBecomesAFailedRowWithItsCode() {
        Throwable error =
                new CompletionException(
                        new ProcessingException(ErrorCode.SOURCE_NOT_FOUND, "no object"));
        assertThat(JobFailures.failsTheTask(error)).isFalse();
        JobResult result = JobFailures.failedResult(EVENT, error, 1L);
        assertThat(result.errorCode()).isEqualTo(ErrorCode.SOURCE_NOT_FOUND);
        assertThat(result.errorMessage()).isEqualTo("no object");
    }

    @Test
    void anUnexpectedExceptionBecomesInference() {
        Throwable error = new CompletionException(new IllegalStateException("bug"));
        assertThat(JobFailures.failsTheTask(error)).isFalse();
        assertThat(JobFailures.failedResult(EVENT, error, 1L).errorCode())
                .isEqualTo(ErrorCode.INFERENCE);
    }

    @Test
    void outOfMemoryFailsTheTaskAndIsNeverARow() {
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
        Throwable error = new CompletionException(new CompletionException(oom));
        assertThat(JobFailures.failsTheTask(error)).isTrue();
        assertThat(JobFailures.cause(error)).isSameAs(oom);
        assertThatThrownBy(() -> JobFailures.failedResult(EVENT, error, 1L))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aStackOverflowFromOneImageIsThatImagesFailureNotTheTasks() {
        Throwable error = new CompletionException(new StackOverflowError());
        assertThat(JobFailures.failsTheTask(error)).isFalse();
        assertThat(JobFailures.failedResult(EVENT, error, 1L).errorCode())
                .isEqualTo(ErrorCode.INFERENCE);
    }
}
