package io.rmbg.core.blob;

import io.rmbg.core.error.ProcessingException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** {@code s3.sse}: the headers every PutObject carries, as the store receives them. */
class ServerSideEncryptionTest {
    private static final byte[] BYTES = "mask".getBytes();

    @Test
    void noSettingSendsNoHeader() throws Exception {
        assertThat(headersOfAPut(ServerSideEncryption.NONE, null))
                .doesNotContainKey("x-amz-server-side-encryption");
    }

    @Test
    void aes256AsksForSseS3() throws Exception {
        assertThat(headersOfAPut(ServerSideEncryption.AES256, null))
                .containsEntry("x-amz-server-side-encryption", List.of("AES256"));
    }

    @Test
    void kmsAsksForSseKmsWithTheKey() throws Exception {
        Map<String, List<String>> headers = headersOfAPut(ServerSideEncryption.KMS, "alias/rmbg");

        assertThat(headers)
                .containsEntry("x-amz-server-side-encryption", List.of("aws:kms"))
                .containsEntry(
                        "x-amz-server-side-encryption-aws-kms-key-id", List.of("alias/rmbg"));
    }

    @Test
    void settingsAreCheckedWithMessagesThatSayWhatToSet() {
        assertThat(ServerSideEncryption.parse("AWS:KMS")).isEqualTo(ServerSideEncryption.KMS);
        assertThatThrownBy(() -> ServerSideEncryption.parse("kms"))
                .hasMessageContaining("s3.sse must be none, aes256 or aws:kms");
        assertThatThrownBy(
                        () ->
                                new S3Options(null, "us-east-1", "b", null, null, true)
                                        .withSse(ServerSideEncryption.AES256, "key"))
                .hasMessageContaining("set s3.sse=aws:kms");
    }

    @Test
    void aStoreWithoutSseAnswers501OnceAndIsNotRetried() throws Exception {
        try (StubS3Server server = StubS3Server.failing(501, "NotImplemented");
                S3BlobStore store =
                        new S3BlobStore(
                                server.options().withSse(ServerSideEncryption.AES256, null))) {
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

            assertThat(refused.isRetryable()).isFalse();
            assertThat(refused.getMessage()).contains("NotImplemented").contains("set s3.sse=none");
        }
    }

    private static Map<String, List<String>> headersOfAPut(
            ServerSideEncryption sse, String kmsKeyId) throws Exception {
        try (StubS3Server server = StubS3Server.failingFirst(0, 500, "InternalError");
                S3BlobStore store = new S3BlobStore(server.options().withSse(sse, kmsKeyId))) {
            store.put(BlobKind.MASK, ContentAddress.sha256Hex(BYTES), "png", "image/png", BYTES);
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            server.lastHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v));
            return headers;
        }
    }
}
