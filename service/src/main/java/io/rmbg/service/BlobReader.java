package io.rmbg.service;

import io.rmbg.core.blob.S3BlobStore;
import io.rmbg.core.blob.S3Options;
import io.rmbg.core.crypto.BlobSealer;
import io.rmbg.core.crypto.BrokenBlobException;
import io.rmbg.core.crypto.JobBlobReader;
import io.rmbg.core.error.ProcessingException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Opens stored blobs for streaming with the service's own (read-only) S3 credentials. Only keys in
 * the configured bucket are read: a row can never point the service elsewhere.
 */
final class BlobReader implements AutoCloseable {
    // Sealed blobs (docs/contracts.md §10) are read whole by openSealed: GCM authenticates only
    // at the end, so nothing of one may be sent before all of it is checked.
    private final S3BlobStore store;
    private final String bucket;

    private final JobBlobReader sealed;

    /** Blobs a visible job names that the store does not have (reported by {@code /api/health}). */
    final AtomicLong missing = new AtomicLong();

    /** Sealed blobs that failed authentication (never served). */
    final AtomicLong corrupt = new AtomicLong();

    BlobReader(S3Options options, BlobSealer sealer) {
        this.store = new S3BlobStore(options);
        this.bucket = options.bucket();
        this.sealed = new JobBlobReader(store, sealer);
    }

    /**
     * The plain bytes of a sealed blob (a sensitive image's) of a job of {@code owner}: read whole,
     * authenticated and decrypted; {@code null} when it is missing.
     *
     * @throws ApiException 503 when the service has no master key or the store fails, 500 when the
     *     blob is corrupt (it is never served)
     */
    byte[] openSealed(String uri, String owner) throws ApiException {
        String prefix = "s3://" + bucket + "/";
        if (!uri.startsWith(prefix)) {
            throw ApiException.notFound("blob");
        }
        if (!sealed.canVerify(uri)) {
            throw new ApiException(
                    503,
                    "this image is stored encrypted and the service has no master key; set"
                            + " RMBG_SECURITY_MASTER_KEY for the results service");
        }
        try {
            return sealed.read(uri, owner);
        } catch (BrokenBlobException e) {
            if (e.problem() == BrokenBlobException.Problem.MISSING) {
                missing.incrementAndGet();
                return null;
            }
            corrupt.incrementAndGet();
            throw new ApiException(500, e.getMessage());
        } catch (ProcessingException e) {
            throw new ApiException(503, "the store cannot be read now: " + e.getMessage());
        }
    }

    /** The object's bytes, streamed; {@code null} when the key does not exist. */
    ResponseInputStream<GetObjectResponse> open(String uri) throws ApiException {
        String prefix = "s3://" + bucket + "/";
        if (uri == null || !uri.startsWith(prefix) || uri.length() == prefix.length()) {
            throw ApiException.notFound("blob");
        }
        try {
            return store.client()
                    .getObject(
                            GetObjectRequest.builder()
                                    .bucket(bucket)
                                    .key(uri.substring(prefix.length()))
                                    .build());
        } catch (NoSuchKeyException e) {
            missing.incrementAndGet();
            return null;
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
