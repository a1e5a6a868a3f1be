package io.rmbg.core.blob;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.process.Cancellation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The real S3 client against an HTTP server giving the answers of a store that is down, throttling
 * or refusing: only outages are retried, final answers fail at once with the right code.
 */
class S3FailuresTest {
    private static final String SOURCE = "s3://rmbg/in/photo.jpg";
    private static final Duration BUDGET = Duration.ofSeconds(30);

    @ParameterizedTest(name = "HTTP {0} {1}: retryable={2}")
    @CsvSource({
        "503, SlowDown, true",
        "500, InternalError, true",
        "429, TooManyRequests, true",
        "403, AccessDenied, false",
        "400, InvalidRequest, false",
        "409, OperationAborted, false",
    })
    void aReadFailsAsSourceUnreadableRetryableOnlyWhenTransient(
            int status, String code, boolean retryable) throws Exception {
        try (StubS3Server server = StubS3Server.failing(status, code);
                S3BlobStore store = new S3BlobStore(server.options())) {
            ProcessingException e =
                    catchThrowableOfType(
                            ProcessingException.class, () -> store.get(SOURCE, 1 << 20));
            // A refused read reads like a missing object (users must not learn what exists).
            assertThat(e.code())
                    .isEqualTo(
                            status == 403
                                    ? ErrorCode.SOURCE_NOT_FOUND
                                    : ErrorCode.SOURCE_UNREADABLE);
            assertThat(e.isRetryable()).as(e.getMessage()).isEqualTo(retryable);
            assertThat(e.getMessage()).contains(SOURCE).doesNotContain("secret");
            if (status != 403) {
                assertThat(e.getMessage()).contains("HTTP " + status);
            }
        }
    }

    @ParameterizedTest(name = "HTTP {0} {1}: retryable={2}")
    @CsvSource({
        "503, SlowDown, true",
        "403, AccessDenied, false",
        "400, InvalidRequest, false",
        "404, NoSuchBucket, false",
    })
    void aWriteFailsAsStorageRetryableOnlyWhenTransient(int status, String code, boolean retryable)
            throws Exception {
        try (StubS3Server server = StubS3Server.failing(status, code);
                S3BlobStore store = new S3BlobStore(server.options())) {
            ProcessingException e =
                    catchThrowableOfType(
                            ProcessingException.class,
                            () ->
                                    store.put(
                                            BlobKind.MASK,
                                            "ab",
                                            "png",
                                            "image/png",
                                            new byte[] {1}));
            assertThat(e.code()).isEqualTo(ErrorCode.STORAGE);
            assertThat(e.isRetryable()).as(e.getMessage()).isEqualTo(retryable);
        }
    }

    @Test
    void accessDeniedSaysWhichSettingToCheck() throws Exception {
        try (StubS3Server server = StubS3Server.failing(403, "AccessDenied");
                S3BlobStore store = new S3BlobStore(server.options())) {
            ProcessingException read =
                    catchThrowableOfType(ProcessingException.class, () -> store.get(SOURCE, 100));
            ProcessingException write =
                    catchThrowableOfType(
                            ProcessingException.class,
                            () ->
                                    store.put(
                                            BlobKind.ORIGINAL,
                                            "ab",
                                            "jpg",
                                            "image/jpeg",
                                            new byte[] {1}));
            // The user reading the row learns no more than "not found"; the operator's log names
            // the settings (S3BlobStore#forbidden), and a refused write is the operator's problem.
            assertThat(read.getMessage()).isEqualTo(S3BlobStore.notFound(SOURCE).getMessage());
            assertThat(write.getMessage()).contains("s3.access-key");
        }
    }

    @Test
    void aStoreThatCannotBeReachedIsRetryable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        S3Options nowhere =
                new S3Options(
                        "http://127.0.0.1:" + closedPort,
                        "us-east-1",
                        "rmbg",
                        "key",
                        "secret",
                        true);
        try (S3BlobStore store = new S3BlobStore(nowhere)) {
            ProcessingException read =
                    catchThrowableOfType(ProcessingException.class, () -> store.get(SOURCE, 100));
            ProcessingException write =
                    catchThrowableOfType(
                            ProcessingException.class,
                            () ->
                                    store.put(
                                            BlobKind.MASK,
                                            "ab",
                                            "png",
                                            "image/png",
                                            new byte[] {1}));
            assertThat(read.code()).isEqualTo(ErrorCode.SOURCE_UNREADABLE);
            assertThat(read.isRetryable()).isTrue();
            assertThat(write.code()).isEqualTo(ErrorCode.STORAGE);
            assertThat(write.isRetryable()).isTrue();
        }
    }

    @Test
    void theRetrierFailsAForbiddenReadAtOnce() throws Exception {
        try (StubS3Server server = StubS3Server.failing(403, "AccessDenied");
                RetryingBlobStore store =
                        new RetryingBlobStore(new S3BlobStore(server.options()), BUDGET)) {
            long start = System.nanoTime();
            ProcessingException e =
                    catchThrowableOfType(ProcessingException.class, () -> store.get(SOURCE, 100));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_NOT_FOUND);
            assertThat(millis)
                    .as("a 403 is final: no retries within the %s budget", BUDGET)
                    .isLessThan(3_000);
            assertThat(server.requests()).isEqualTo(1);
        }
    }

    @Test
    void theRetrierRidesOutThrottling() throws Exception {
        // More failures than the SDK's own retries absorb in one call: the retrier has to try
        // again.
        try (StubS3Server server = StubS3Server.failingFirst(6, 503, "SlowDown");
                RetryingBlobStore store =
                        new RetryingBlobStore(new S3BlobStore(server.options()), BUDGET)) {
            assertThat(store.get(SOURCE, 100)).isEqualTo(StubS3Server.BODY);
            assertThat(server.requests()).isGreaterThan(6);
        }
    }

    @Test
    void theRetrierGivesUpWhenTheJobIsCancelled() throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (StubS3Server server = StubS3Server.failing(503, "SlowDown");
                RetryingBlobStore store =
                        new RetryingBlobStore(new S3BlobStore(server.options()), BUDGET)) {
            Cancellation cancellation = new Cancellation();
            timer.schedule(() -> cancellation.cancel("timed out"), 500, TimeUnit.MILLISECONDS);
            long start = System.nanoTime();
            ProcessingException e =
                    catchThrowableOfType(
                            ProcessingException.class,
                            () ->
                                    store.put(
                                            BlobKind.PROCESSED,
                                            "ab",
                                            "png",
                                            "image/png",
                                            new byte[] {1},
                                            cancellation));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(e.code()).isEqualTo(ErrorCode.INFERENCE_TIMEOUT);
            assertThat(e.getMessage()).contains("processed", "timed out");
            assertThat(millis).isLessThan(10_000);
            int requestsAtCancel = server.requests();
            Thread.sleep(300);
            assertThat(server.requests())
                    .as("no attempt after the cancellation")
                    .isEqualTo(requestsAtCancel);
        } finally {
            timer.shutdownNow();
        }
    }
}
