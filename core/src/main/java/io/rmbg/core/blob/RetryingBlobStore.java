package io.rmbg.core.blob;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.process.Cancellation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Rides out short outages of the store: a call that fails {@link ProcessingException#isRetryable()
 * transiently} (HTTP 5xx, throttling, a connection refused or timed out) is tried again with
 * exponential back-off (0.25 s, 0.5 s, …, at most 8 s apart) until {@code budget} has passed; only
 * then does the job fail with that failure's code. Final answers (a missing object, 403 access
 * denied, 400, an image over the limit) fail at once. A cancelled job stops retrying at once.
 * Writes are content-addressed, so repeating one is harmless.
 */
public final class RetryingBlobStore implements BlobStore {
    private static final Logger LOG = LoggerFactory.getLogger(RetryingBlobStore.class);
    private static final long FIRST_BACKOFF_MS = 250;
    private static final long MAX_BACKOFF_MS = 8_000;

    private final BlobStore store;
    private final long budgetMillis;

    public RetryingBlobStore(BlobStore store, Duration budget) {
        this.store = store;
        this.budgetMillis = budget.toMillis();
    }

    @Override
    public String put(
            BlobKind kind, String sha256, String extension, String contentType, byte[] bytes)
            throws ProcessingException {
        return put(kind, sha256, extension, contentType, bytes, Cancellation.NONE);
    }

    @Override
    public String put(
            BlobKind kind,
            String sha256,
            String extension,
            String contentType,
            byte[] bytes,
            Cancellation cancellation)
            throws ProcessingException {
        return retry(
                cancellation,
                "storing the " + kind.prefix() + " blob",
                () -> store.put(kind, sha256, extension, contentType, bytes));
    }

    @Override
    public byte[] get(String uri, long maxBytes) throws ProcessingException {
        return get(uri, maxBytes, Cancellation.NONE);
    }

    @Override
    public byte[] get(String uri, long maxBytes, Cancellation cancellation)
            throws ProcessingException {
        return retry(cancellation, "reading " + uri, () -> store.get(uri, maxBytes));
    }

    @Override
    public boolean exists(String uri) throws ProcessingException {
        return retry(Cancellation.NONE, "checking " + uri, () -> store.exists(uri));
    }

    private interface Call<T> {
        T run() throws ProcessingException;
    }

    private <T> T retry(Cancellation cancellation, String what, Call<T> call)
            throws ProcessingException {
        long deadline = System.currentTimeMillis() + budgetMillis;
        long backoff = FIRST_BACKOFF_MS;
        int attempt = 1;
        while (true) {
            cancellation.throwIfCancelled(what);
            try {
                return call.run();
            } catch (ProcessingException e) {
                long left = deadline - System.currentTimeMillis();
                if (!e.isRetryable() || left <= 0) {
                    throw e;
                }
                if (attempt == 1) {
                    LOG.warn(
                            "Blob store call failed ({}); retrying for up to {} ms",
                            e.getMessage(),
                            budgetMillis);
                }
                sleep(Math.min(backoff, left), cancellation, what, e.code());
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
                attempt++;
            }
        }
    }

    private static void sleep(long millis, Cancellation cancellation, String what, ErrorCode code)
            throws ProcessingException {
        try {
            cancellation.sleep(millis, what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProcessingException(
                    code, "interrupted while waiting to retry the blob store");
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
