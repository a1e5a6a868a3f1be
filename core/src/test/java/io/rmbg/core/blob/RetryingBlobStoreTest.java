package io.rmbg.core.blob;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.process.Cancellation;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Outages of the store are ridden out within the budget, final answers are not asked again, and a
 * budget that runs out ends in the store's last answer. The failures are the ones {@link
 * S3Failures} makes of the S3 client's answers.
 */
class RetryingBlobStoreTest {
    private static final byte[] BYTES = "a blob".getBytes(UTF_8);
    private static final String SHA = ContentAddress.sha256Hex(BYTES);
    private static final Duration BUDGET = Duration.ofSeconds(30);

    @Test
    void aWriteFailingTransientlyIsRetriedUntilItSucceeds() throws Exception {
        FlakyStore flaky = FlakyStore.failing(2, () -> unavailable(BlobKind.MASK));
        long start = System.nanoTime();

        String uri =
                new RetryingBlobStore(flaky, BUDGET)
                        .put(BlobKind.MASK, SHA, "png", "image/png", BYTES);

        assertThat(uri).isEqualTo("s3://test/mask/" + SHA + ".png");
        assertThat(InMemoryBlobStore.OBJECTS.get(uri)).isEqualTo(BYTES);
        assertThat(flaky.attempts()).isEqualTo(3);
        // Back-off 0.25 s, then 0.5 s: the store had time to recover.
        assertThat(elapsedMillis(start)).isGreaterThanOrEqualTo(750);
    }

    @Test
    void aReadFailingTransientlyIsRetriedUntilItSucceeds() throws Exception {
        String uri =
                new InMemoryBlobStore()
                        .put(BlobKind.ORIGINAL, SHA, "bin", "application/octet-stream", BYTES);
        FlakyStore flaky =
                FlakyStore.failing(
                        1,
                        () ->
                                ProcessingException.retryable(
                                        ErrorCode.SOURCE_UNREADABLE, "connection reset", null));

        assertThat(new RetryingBlobStore(flaky, BUDGET).get(uri, 1 << 20)).isEqualTo(BYTES);
        assertThat(flaky.attempts()).isEqualTo(2);
    }

    @Test
    void aFinalAnswerIsNotAskedAgain() {
        FlakyStore denied = FlakyStore.failing(Integer.MAX_VALUE, () -> denied(BlobKind.PROCESSED));

        ProcessingException e =
                catchThrowableOfType(
                        ProcessingException.class,
                        () ->
                                new RetryingBlobStore(denied, BUDGET)
                                        .put(BlobKind.PROCESSED, SHA, "png", "image/png", BYTES));

        assertThat(denied.attempts()).isEqualTo(1);
        assertThat(e.code()).isEqualTo(ErrorCode.STORAGE);
        assertThat(e.isRetryable()).isFalse();
        assertThat(e.getMessage()).contains("AccessDenied (HTTP 403)", "check s3.access-key");
    }

    @Test
    void aMissingSourceIsNotReadAgain() {
        FlakyStore store = FlakyStore.failing(0, () -> null);

        ProcessingException e =
                catchThrowableOfType(
                        ProcessingException.class,
                        () ->
                                new RetryingBlobStore(store, BUDGET)
                                        .get("s3://test/uploads/alice/none.png", 1 << 20));

        assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_NOT_FOUND);
        assertThat(store.attempts()).isEqualTo(1);
    }

    @Test
    void aBudgetThatRunsOutEndsInTheLastFailure() {
        List<ProcessingException> thrown = new ArrayList<>();
        FlakyStore down =
                FlakyStore.failing(
                        Integer.MAX_VALUE,
                        () -> {
                            ProcessingException e = unavailable(BlobKind.ORIGINAL);
                            thrown.add(e);
                            return e;
                        });
        long start = System.nanoTime();

        ProcessingException e =
                catchThrowableOfType(
                        ProcessingException.class,
                        () ->
                                new RetryingBlobStore(down, Duration.ofMillis(600))
                                        .put(BlobKind.ORIGINAL, SHA, "png", "image/png", BYTES));

        // At 0 ms, 250 ms and the budget's end (600 ms): the store's last answer is the job's.
        assertThat(down.attempts()).isBetween(2, 4);
        assertThat(e).isSameAs(thrown.get(thrown.size() - 1));
        assertThat(e.code()).isEqualTo(ErrorCode.STORAGE);
        assertThat(e.getMessage()).contains("SlowDown (HTTP 503)");
        assertThat(elapsedMillis(start)).isBetween(590L, 5_000L);
    }

    @Test
    void aCancelledJobStopsRetryingAtOnce() throws Exception {
        FlakyStore down = FlakyStore.failing(Integer.MAX_VALUE, () -> unavailable(BlobKind.MASK));
        Cancellation cancellation = new Cancellation();
        CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS)
                .execute(() -> cancellation.cancel("the job timed out"));
        long start = System.nanoTime();

        ProcessingException e =
                catchThrowableOfType(
                        ProcessingException.class,
                        () ->
                                new RetryingBlobStore(down, BUDGET)
                                        .put(
                                                BlobKind.MASK,
                                                SHA,
                                                "png",
                                                "image/png",
                                                BYTES,
                                                cancellation));

        assertThat(e.code()).isEqualTo(ErrorCode.INFERENCE_TIMEOUT);
        assertThat(e.getMessage()).contains("storing the mask blob", "the job timed out");
        assertThat(elapsedMillis(start)).isLessThan(5_000);
        int attempts = down.attempts();
        Thread.sleep(600);
        assertThat(down.attempts()).as("no attempt after the cancellation").isEqualTo(attempts);
    }

    @Test
    void closeClosesTheStoreBehind() {
        FlakyStore store = FlakyStore.failing(0, () -> null);
        new RetryingBlobStore(store, BUDGET).close();
        assertThat(store.closed.get()).isTrue();
    }

    /** What {@link S3BlobStore} throws for a 503 SlowDown: an outage, retryable. */
    private static ProcessingException unavailable(BlobKind kind) {
        return S3Failures.writeFailed("rmbg", kind, s3Exception(503, "SlowDown"));
    }

    /** What {@link S3BlobStore} throws for a 403 AccessDenied: final. */
    private static ProcessingException denied(BlobKind kind) {
        return S3Failures.writeFailed("rmbg", kind, s3Exception(403, "AccessDenied"));
    }

    private static S3Exception s3Exception(int status, String code) {
        return (S3Exception)
                S3Exception.builder()
                        .statusCode(status)
                        .awsErrorDetails(
                                AwsErrorDetails.builder()
                                        .errorCode(code)
                                        .errorMessage(code)
                                        .build())
                        .message(code)
                        .build();
    }

    private static long elapsedMillis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /**
     * {@link InMemoryBlobStore} whose first {@code failures} calls throw what {@code failure}
     * makes; counts every call.
     */
    private static final class FlakyStore implements BlobStore {
        private final InMemoryBlobStore store = new InMemoryBlobStore();
        private final int failures;
        private final FailureFactory failure;
        private final AtomicInteger attempts = new AtomicInteger();
        final AtomicBoolean closed = new AtomicBoolean();

        private interface FailureFactory {
            ProcessingException make();
        }

        private FlakyStore(int failures, FailureFactory failure) {
            this.failures = failures;
            this.failure = failure;
        }

        static FlakyStore failing(int failures, FailureFactory failure) {
            return new FlakyStore(failures, failure);
        }

        int attempts() {
            return attempts.get();
        }

        private void attempt() throws ProcessingException {
            if (attempts.incrementAndGet() <= failures) {
                throw failure.make();
            }
        }

        @Override
        public String put(
                BlobKind kind, String sha256, String extension, String contentType, byte[] bytes)
                throws ProcessingException {
            attempt();
            return store.put(kind, sha256, extension, contentType, bytes);
        }

        @Override
        public byte[] get(String uri, long maxBytes) throws ProcessingException {
            attempt();
            return store.get(uri, maxBytes);
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }
}
