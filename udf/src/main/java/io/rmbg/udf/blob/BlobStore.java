package io.rmbg.udf.blob;

import io.rmbg.udf.error.ProcessingException;

/**
 * Where sources are read from and results written to. Writes are content-addressed and idempotent:
 * putting bytes whose key already exists succeeds and changes nothing.
 */
public interface BlobStore extends AutoCloseable {

    /**
     * Stores {@code bytes} under {@code <kind>/<sha256>.<extension>} and returns its {@code
     * s3://bucket/key} reference.
     *
     * @throws ProcessingException with {@code STORAGE} when the store cannot take it
     */
    String put(BlobKind kind, String sha256, String extension, String contentType, byte[] bytes)
            throws ProcessingException;

    /**
     * Reads the object an {@code s3://bucket/key} URI names, refusing objects over {@code maxBytes}.
     *
     * @throws ProcessingException {@code SOURCE_NOT_FOUND} when bucket or key do not exist or may
     *     not be read (one message for both), {@code
     *     IMAGE_TOO_LARGE} over the limit, {@code SOURCE_UNREADABLE} when the store fails
     */
    byte[] get(String uri, long maxBytes) throws ProcessingException;

    @Override
    void close();
}
