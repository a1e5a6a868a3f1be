package io.rmbg.local;

import io.rmbg.core.blob.BlobKind;
import io.rmbg.core.blob.BlobStore;
import io.rmbg.core.blob.RetryingBlobStore;
import io.rmbg.core.blob.S3BlobStore;
import io.rmbg.core.blob.S3Options;
import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Against a real S3 server (s3proxy): answers that retrying cannot change (403 for wrong
 * credentials, 404) fail the job at once with the right code, well inside the retry budget that
 * rides out outages; an unreachable store is retried for the whole budget. (The other statuses, 400
 * among them, are in the udf module's {@code S3FailuresTest}: s3proxy cannot be made to send them.)
 */
class S3FailFastITCase {
    private static final String ACCESS_KEY = "rmbg";
    private static final String SECRET_KEY = "rmbg-secret";
    private static final String BUCKET = "rmbg";
    private static final Duration BUDGET = Duration.ofSeconds(30);
    private static final long FAST_MS = 3_000;

    @TempDir static Path dir;
    private static LocalS3 server;
    private static String photo;

    @BeforeAll
    static void start() throws Exception {
        server = S3Fixture.start(dir.resolve("s3"), ACCESS_KEY, SECRET_KEY);
        S3Fixture.createBucket(options(SECRET_KEY), BUCKET);
        S3Fixture.put(options(SECRET_KEY), BUCKET, "in/photo.jpg", new byte[] {1, 2});
        photo = "s3://" + BUCKET + "/in/photo.jpg";
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void wrongCredentialsFailAReadAtOnceAsNotFound() throws Exception {
        try (BlobStore store = retrying(options("wrong-secret"))) {
            long start = System.nanoTime();
            ProcessingException e =
                    catchThrowableOfType(ProcessingException.class, () -> store.get(photo, 100));
            assertThat(elapsedMs(start))
                    .as("a 403 is final; the budget is %s", BUDGET)
                    .isLessThan(FAST_MS);
            // A refused read tells the user no more than a missing object (the log tells the
            // operator).
            assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_NOT_FOUND);
            assertThat(e.isRetryable()).isFalse();
            assertThat(e.getMessage()).contains(photo).doesNotContain("wrong-secret");
        }
    }

    @Test
    void wrongCredentialsFailAWriteAtOnceAsStorage() throws Exception {
        try (BlobStore store = retrying(options("wrong-secret"))) {
            long start = System.nanoTime();
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
            assertThat(elapsedMs(start)).isLessThan(FAST_MS);
            assertThat(e.code()).isEqualTo(ErrorCode.STORAGE);
            assertThat(e.isRetryable()).isFalse();
        }
    }

    @Test
    void anUnreachableStoreIsRetriedForTheWholeBudget() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        S3Options nowhere =
                new S3Options(
                        "http://127.0.0.1:" + closedPort,
                        "us-east-1",
                        BUCKET,
                        ACCESS_KEY,
                        SECRET_KEY,
                        true);
        Duration budget = Duration.ofSeconds(1);
        try (BlobStore store = new RetryingBlobStore(new S3BlobStore(nowhere), budget)) {
            long start = System.nanoTime();
            ProcessingException e =
                    catchThrowableOfType(ProcessingException.class, () -> store.get(photo, 100));
            assertThat(elapsedMs(start)).isGreaterThanOrEqualTo(budget.toMillis());
            assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_UNREADABLE);
            assertThat(e.isRetryable()).isTrue();
        }
    }

    @Test
    void aMissingObjectIsSourceNotFoundAtOnce() throws Exception {
        try (BlobStore store = retrying(options(SECRET_KEY))) {
            long start = System.nanoTime();
            ProcessingException e =
                    catchThrowableOfType(
                            ProcessingException.class,
                            () -> store.get("s3://" + BUCKET + "/in/missing.jpg", 100));
            assertThat(elapsedMs(start)).isLessThan(FAST_MS);
            assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_NOT_FOUND);
        }
    }

    @Test
    void theRightCredentialsRead() throws Exception {
        try (BlobStore store = retrying(options(SECRET_KEY))) {
            assertThat(store.get(photo, 100)).containsExactly(1, 2);
        }
    }

    private static BlobStore retrying(S3Options options) {
        return new RetryingBlobStore(new S3BlobStore(options), BUDGET);
    }

    private static S3Options options(String secret) {
        return new S3Options(server.endpoint(), "us-east-1", BUCKET, ACCESS_KEY, secret, true);
    }

    private static long elapsedMs(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
