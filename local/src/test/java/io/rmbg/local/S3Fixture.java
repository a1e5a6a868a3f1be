package io.rmbg.local;

import io.rmbg.core.blob.S3BlobStore;
import io.rmbg.core.blob.S3Options;
import software.amazon.awssdk.core.sync.RequestBody;

import java.nio.file.Path;

/**
 * S3 servers and objects for the ITCases: a bare {@link LocalS3} on a free port for tests that need
 * no Kafka or PostgreSQL, and the buckets and uploads a test puts in place before its job runs.
 */
final class S3Fixture {
    private S3Fixture() {}

    /**
     * An s3proxy on a free port of 127.0.0.1 that accepts only {@code accessKey}/{@code secret}.
     */
    static LocalS3 start(Path dir, String accessKey, String secret) throws Exception {
        return LocalS3.start(dir, "127.0.0.1", LocalStack.freePortIfZero(0), accessKey, secret);
    }

    static void createBucket(S3Options s3, String bucket) {
        try (S3BlobStore store = new S3BlobStore(s3)) {
            store.client().createBucket(b -> b.bucket(bucket));
        }
    }

    /** Uploads {@code bytes} as {@code bucket/key}, the way a user's upload arrives. */
    static void put(S3Options s3, String bucket, String key, byte[] bytes) {
        try (S3BlobStore store = new S3BlobStore(s3)) {
            store.client().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
        }
    }
}
