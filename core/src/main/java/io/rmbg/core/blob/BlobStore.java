package io.rmbg.core.blob;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.process.Cancellation;

/**
 * Where sources are read from and results written to. Writes are content-addressed and idempotent:
 * putting bytes whose key already exists succeeds and changes nothing.
 */
public interface BlobStore extends AutoCloseable {

    /**
     * Stores {@code bytes} under {@code <kind>/<sha256>.<extension>} and returns its {@code
     * s3://bucket/key} reference.
     *
     * @throws ProcessingException with {@code STORAGE} when the store cannot take it; {@link
     *     ProcessingException#isRetryable() retryable} when trying again may help
     */
    String put(BlobKind kind, String sha256, String extension, String contentType, byte[] bytes)
            throws ProcessingException;

    /**
     * Reads the object an {@code s3://bucket/key} URI names, refusing objects over {@code
     * maxBytes}.
     *
     * @throws ProcessingException {@code SOURCE_NOT_FOUND} when bucket or key do not exist or may
     *     not be read (one message for both), {@code IMAGE_TOO_LARGE} over the limit, {@code
     *     SOURCE_UNREADABLE} when the store fails (retryable when trying again may help)
     */
    byte[] get(String uri, long maxBytes) throws ProcessingException;

    /**
     * As {@link #put(BlobKind, String, String, String, byte[])}, unless the job is cancelled first:
     * a store that tries again checks before every attempt.
     *
     * @throws ProcessingException {@code INFERENCE_TIMEOUT} once {@code cancellation} is cancelled
     */
    default String put(
            BlobKind kind,
            String sha256,
            String extension,
            String contentType,
            byte[] bytes,
            Cancellation cancellation)
            throws ProcessingException {
        cancellation.throwIfCancelled("storing the " + kind.prefix() + " blob");
        return put(kind, sha256, extension, contentType, bytes);
    }

    /**
     * As {@link #get(String, long)}, unless the job is cancelled first (checked before every
     * attempt).
     */
    default byte[] get(String uri, long maxBytes, Cancellation cancellation)
            throws ProcessingException {
        cancellation.throwIfCancelled("reading " + uri);
        return get(uri, maxBytes);
    }

    /**
     * Whether the object {@code uri} names exists and may be read. Stores with a cheap metadata
     * call (S3's HEAD) override this default, which reads the object.
     *
     * @throws ProcessingException when the store cannot tell (retryable when trying again may help)
     */
    default boolean exists(String uri) throws ProcessingException {
        try {
            get(uri, Long.MAX_VALUE);
            return true;
        } catch (ProcessingException e) {
            if (e.code() == ErrorCode.SOURCE_NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    @Override
    void close();
}
