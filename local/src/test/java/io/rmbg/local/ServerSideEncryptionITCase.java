package io.rmbg.local;

import io.rmbg.core.blob.BlobKind;
import io.rmbg.core.blob.ContentAddress;
import io.rmbg.core.blob.S3BlobStore;
import io.rmbg.core.blob.S3Options;
import io.rmbg.core.blob.ServerSideEncryption;
import io.rmbg.core.error.ProcessingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * {@code s3.sse} against the local stack's S3 server (s3proxy), which implements no server-side
 * encryption: a write with the SSE headers fails at once (not retried for the whole budget) and
 * says to set {@code s3.sse=none}; without them the same write succeeds.
 */
class ServerSideEncryptionITCase {
    private static final byte[] BYTES = SampleImages.png(16, 16);

    @Test
    void aStoreWithoutSseRefusesAtOnceWithAdvice(@TempDir Path dir) throws Exception {
        try (LocalS3 s3 =
                LocalS3.start(dir, "127.0.0.1", ServiceStack.freePort(), "rmbg", "rmbg-secret")) {
            S3Options plain =
                    new S3Options(s3.endpoint(), "us-east-1", "rmbg", "rmbg", "rmbg-secret", true);
            try (S3BlobStore setup = new S3BlobStore(plain)) {
                setup.client().createBucket(b -> b.bucket("rmbg"));
            }
            for (S3Options options :
                    new S3Options[] {
                        plain.withSse(ServerSideEncryption.AES256, null),
                        plain.withSse(ServerSideEncryption.KMS, "alias/rmbg")
                    }) {
                try (S3BlobStore store = new S3BlobStore(options)) {
                    ProcessingException refused =
                            catchThrowableOfType(
                                    () ->
                                            store.put(
                                                    BlobKind.MASK,
                                                    ContentAddress.sha256Hex(BYTES),
                                                    "png",
                                                    "image/png",
                                                    BYTES),
                                    ProcessingException.class);
                    assertThat(refused).as(options.toString()).isNotNull();
                    assertThat(refused.isRetryable()).isFalse();
                    assertThat(refused.getMessage()).contains("set s3.sse=none");
                }
            }
            try (S3BlobStore store = new S3BlobStore(plain)) {
                String uri =
                        store.put(
                                BlobKind.MASK,
                                ContentAddress.sha256Hex(BYTES),
                                "png",
                                "image/png",
                                BYTES);
                assertThat(store.get(uri, Long.MAX_VALUE)).isEqualTo(BYTES);
            }
        }
    }
}
