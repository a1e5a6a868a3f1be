package io.rmbg.udf.blob;

import io.rmbg.udf.error.ErrorCode;
import io.rmbg.udf.error.ProcessingException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rides out short outages of the store: a write that fails with {@code STORAGE}, or a read that
 * fails with {@code SOURCE_UNREADABLE}, is tried again with exponential back-off (0.25 s, 0.5 s, …,
 * at most 8 s apart) until {@code budget} has passed; only then does the job fail with that code.
 * Answers that retrying cannot change (a missing object, an image over the limit) fail at once.
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
    public String put(BlobKind kind, String sha256, String extension, String contentType, byte[] bytes)
            throws ProcessingException {
        return retry(ErrorCode.STORAGE, () -> store.put(kind, sha256, extension, contentType, bytes));
    }

    @Override
    public byte[] get(String uri, long maxBytes) throws ProcessingException {
        return retry(ErrorCode.SOURCE_UNREADABLE, () -> store.get(uri, maxBytes));
    }

    private interface Call<T> {
        T run() throws ProcessingException;
    }

    private <T> T retry(ErrorCode transientCode, Call<T> call) throws ProcessingException {
        long deadline = System.currentTimeMillis() + budgetMillis;
        long backoff = FIRST_BACKOFF_MS;
        int attempt = 1;
        while (true) {
            try {
                return call.run();
            } catch (ProcessingException e) {
                long left = deadline - System.currentTimeMillis();
                if (e.code() != transientCode || left <= 0) {
                    throw e;
                }
                if (attempt == 1) {
                    LOG.warn("Blob store call failed ({}); retrying for up to {} ms", e.getMessage(), budgetMillis);
                }
                sleep(Math.min(backoff, left));
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
                attempt++;
            }
        }
    }

    private static void sleep(long millis) throws ProcessingException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProcessingException(ErrorCode.STORAGE, "interrupted while waiting to retry the blob store");
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
