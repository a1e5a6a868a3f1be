package io.rmbg.job.config;

import io.rmbg.core.blob.ServerSideEncryption;
import io.rmbg.core.records.ImageParams;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code security.*} and {@code s3.sse*}: read once, checked with messages, the key never shown.
 */
class SecurityOptionsTest {
    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

    @Test
    void withoutAKeyNothingIsSealedAndSensitiveImagesCannotBe() {
        PipelineConfig config = PipelineConfig.defaults();

        assertThat(config.sealer().hasKey()).isFalse();
        assertThat(config.sealer().sealsAll()).isFalse();
        assertThat(config.s3().sse()).isEqualTo(ServerSideEncryption.NONE);
    }

    @Test
    void theMasterKeyComesFromTheEnvironmentAndIsNeverPrinted() throws Exception {
        PipelineConfig config =
                PipelineConfig.fromArgs(
                        new String[] {"--security.encrypt-all", "true"},
                        Map.of("RMBG_SECURITY_MASTER_KEY", KEY));

        assertThat(config.sealer().hasKey()).isTrue();
        assertThat(config.sealer().seals(ImageParams.DEFAULTS)).isTrue();
        assertThat(config.toString()).doesNotContain(KEY).contains("security.master-key=****");
        assertThat(ConfigKeys.isSecret(ConfigKeys.SECURITY_MASTER_KEY)).isTrue();
    }

    @Test
    void encryptAllWithoutAKeyOrABadKeyFailsTheConfig() {
        assertThatThrownBy(
                        () ->
                                PipelineConfig.builder()
                                        .set(ConfigKeys.SECURITY_ENCRYPT_ALL, "true")
                                        .build())
                .hasMessageContaining("security.encrypt-all needs security.master-key");
        assertThatThrownBy(
                        () ->
                                PipelineConfig.builder()
                                        .set(ConfigKeys.SECURITY_MASTER_KEY, "c2hvcnQ=")
                                        .build())
                .hasMessageContaining("must be 32 bytes");
    }

    @Test
    void serverSideEncryptionAppliesToTheResultsStore() {
        PipelineConfig config =
                PipelineConfig.builder()
                        .set(ConfigKeys.S3_SSE, "aws:kms")
                        .set(ConfigKeys.S3_SSE_KMS_KEY_ID, "alias/rmbg")
                        .build();

        assertThat(config.s3().sse()).isEqualTo(ServerSideEncryption.KMS);
        assertThat(config.s3().sseKmsKeyId()).isEqualTo("alias/rmbg");
        assertThat(config.sourceS3()).isEqualTo(config.s3());
        assertThatThrownBy(() -> PipelineConfig.builder().set(ConfigKeys.S3_SSE, "kms").build())
                .hasMessageContaining("s3.sse must be none, aes256 or aws:kms");
    }
}
