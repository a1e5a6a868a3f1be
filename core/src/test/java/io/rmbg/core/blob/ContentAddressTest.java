package io.rmbg.core.blob;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import org.junit.jupiter.api.Test;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContentAddressTest {
    @Test
    void keyIsTheLowercaseSha256OfTheBytes() {
        String sha = ContentAddress.sha256Hex("abc".getBytes(US_ASCII));
        assertThat(sha)
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(ContentAddress.key(BlobKind.MASK, sha, "png")).isEqualTo("mask/" + sha + ".png");
        assertThat(ContentAddress.key(BlobKind.ORIGINAL, sha, "jpg")).startsWith("original/");
        assertThat(ContentAddress.key(BlobKind.PROCESSED, sha, "png")).startsWith("processed/");
    }

    @Test
    void parsesS3Uris() throws Exception {
        S3Uri uri = S3Uri.parse("s3://bucket/a/b c.jpg");
        assertThat(uri.bucket()).isEqualTo("bucket");
        assertThat(uri.key()).isEqualTo("a/b c.jpg");
        assertThat(uri).hasToString("s3://bucket/a/b c.jpg");
        assertThatThrownBy(() -> S3Uri.parse("s3://bucket/"))
                .isInstanceOfSatisfying(
                        ProcessingException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_EVENT));
        assertThatThrownBy(() -> S3Uri.parse("file:///etc/passwd"))
                .isInstanceOf(ProcessingException.class);
    }
}
