package io.rmbg.service;

import io.rmbg.core.blob.S3BlobStore;
import io.rmbg.core.blob.S3Options;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Opens stored blobs for streaming with the service's own (read-only) S3 credentials. Only keys in
 * the configured bucket are read: a row can never point the service elsewhere.
 */
final class BlobReader implements AutoCloseable {
    private final S3BlobStore store;
    private final String bucket;

    BlobReader(S3Options options) {
        this.store = new S3BlobStore(options);
        this.bucket = options.bucket();
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
            return null;
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
