package io.rmbg.job.config;

import io.rmbg.core.blob.S3Options;
import io.rmbg.core.blob.SourcePolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code source.allowed}, {@code s3.source.*} and {@code kafka.properties.*}: defaults, sources,
 * masking.
 */
class IsolationSettingsTest {
    private static final String JAAS =
            "org.apache.kafka.common.security.plain.PlainLoginModule required"
                    + " username=\"rmbg\" password=\"kafka-pw-123\";";

    @TempDir Path dir;

    @Test
    void byDefaultEachUserReadsOnlyTheirOwnUploadsFolder() {
        SourcePolicy p = PipelineConfig.defaults().sourcePolicy();
        assertThat(p.allows("rmbg", "uploads/u1/cat.jpg", "u1")).isTrue();
        assertThat(p.allows("rmbg", "uploads/u1/cat.jpg", "u2")).isFalse();
        assertThat(p.allows("rmbg", "uploads/cat.jpg", "u1")).isFalse();
        assertThat(p.allows("rmbg", "original/abc.jpg", "u1")).isFalse();
        assertThat(p.allows("rmbg-checkpoints", "checkpoints/x/_metadata", "u1")).isFalse();
        assertThat(
                        PipelineConfig.builder()
                                .set(ConfigKeys.S3_BUCKET, "results")
                                .build()
                                .sourcePolicy()
                                .locationsFor("u1"))
                .containsExactly("s3://results/uploads/u1/");
    }

    @Test
    void allowedSourcesAreConfigurable() {
        SourcePolicy p =
                PipelineConfig.builder()
                        .set(
                                ConfigKeys.SOURCE_ALLOWED,
                                "${s3.bucket}/in/${user_id}/,customer-photos/public/")
                        .build()
                        .sourcePolicy();
        assertThat(p.locationsFor("u1"))
                .containsExactly("s3://rmbg/in/u1/", "s3://customer-photos/public/");
        assertThat(
                        PipelineConfig.builder()
                                .set(ConfigKeys.SOURCE_ALLOWED, "")
                                .build()
                                .sourcePolicy()
                                .entries())
                .as("blank: inline images only")
                .isEmpty();
    }

    @Test
    void noEntryMayReachTheJobsOwnResults() {
        for (String entry :
                new String[] {
                    "rmbg", "rmbg/", "rmbg/${user_id}/", "rmbg/orig", "rmbg/processed/x/"
                }) {
            assertThatThrownBy(
                            () ->
                                    PipelineConfig.builder()
                                            .set(ConfigKeys.SOURCE_ALLOWED, entry)
                                            .build())
                    .as(entry)
                    .hasMessageContaining("source.allowed")
                    .hasMessageContaining("results");
        }
        assertThatThrownBy(
                        () ->
                                PipelineConfig.builder()
                                        .set(ConfigKeys.SOURCE_ALLOWED, "rmbg/uploads/${user_id}")
                                        .build())
                .hasMessageContaining("source.allowed")
                .hasMessageContaining("followed by '/'");
        // Another bucket as a whole is the operator's choice.
        assertThat(
                        PipelineConfig.builder()
                                .set(ConfigKeys.SOURCE_ALLOWED, "customer-photos")
                                .build()
                                .sourcePolicy()
                                .allows("customer-photos", "a/b.jpg", "u1"))
                .isTrue();
    }

    @Test
    void sourcesAreReadWithTheResultsCredentialsUnlessTheirOwnAreSet() {
        PipelineConfig defaults = PipelineConfig.defaults();
        assertThat(defaults.sourceS3()).isEqualTo(defaults.s3());

        PipelineConfig c =
                PipelineConfig.builder()
                        .set(ConfigKeys.S3_SOURCE_ENDPOINT, "https://uploads.example.com")
                        .set(ConfigKeys.S3_SOURCE_REGION, "eu-central-1")
                        .set(ConfigKeys.S3_SOURCE_ACCESS_KEY, "reader")
                        .set(ConfigKeys.S3_SOURCE_SECRET_KEY, "reader-secret-42")
                        .set(ConfigKeys.S3_SOURCE_PATH_STYLE, "false")
                        .build();
        assertThat(c.sourceS3())
                .isEqualTo(
                        new S3Options(
                                "https://uploads.example.com",
                                "eu-central-1",
                                "rmbg",
                                "reader",
                                "reader-secret-42",
                                false));
        assertThat(c.s3()).isEqualTo(defaults.s3());

        S3Options onlyEndpoint =
                PipelineConfig.builder()
                        .set(ConfigKeys.S3_SOURCE_ENDPOINT, "http://other:9000")
                        .build()
                        .sourceS3();
        assertThat(onlyEndpoint.accessKey()).isEqualTo("rmbg");
        assertThat(onlyEndpoint.pathStyle()).isTrue();

        assertThatThrownBy(
                        () ->
                                PipelineConfig.builder()
                                        .set(ConfigKeys.S3_SOURCE_ACCESS_KEY, "reader")
                                        .build())
                .hasMessageContaining("s3.source.secret-key")
                .hasMessageContaining("set both");
        assertThatThrownBy(
                        () ->
                                PipelineConfig.builder()
                                        .set(ConfigKeys.S3_SOURCE_PATH_STYLE, "yes")
                                        .build())
                .hasMessageContaining("true or false");
    }

    @Test
    void sourceSecretsComeFromTheEnvironmentAndNeverPrint() throws Exception {
        PipelineConfig c =
                PipelineConfig.fromArgs(
                        new String[0],
                        Map.of(
                                "RMBG_S3_SOURCE_ACCESS_KEY",
                                "reader-key-77",
                                "RMBG_S3_SOURCE_SECRET_KEY",
                                "reader-secret-42"));
        assertThat(c.sourceS3().secretKey()).isEqualTo("reader-secret-42");
        assertThat(c.toString())
                .doesNotContain("reader-secret-42")
                .doesNotContain("reader-key-77")
                .contains("s3.source.secret-key=****");
        assertThat(c.sourceS3().toString())
                .doesNotContain("reader-secret-42")
                .doesNotContain("reader-key-77");
    }

    @Test
    void kafkaClientSettingsPassThroughFromEverySource() throws Exception {
        Path file = dir.resolve("job.properties");
        Files.writeString(
                file,
                "kafka.properties.security.protocol=SASL_SSL\n"
                        + "kafka.properties.sasl.mechanism=PLAIN\n"
                        + "kafka.properties.ssl.truststore.location=/etc/kafka/truststore.p12\n");
        PipelineConfig c =
                PipelineConfig.fromArgs(
                        new String[] {
                            "--config",
                            file.toString(),
                            "--kafka.properties.client.dns.lookup",
                            "use_all_dns_ips"
                        },
                        Map.of(
                                "RMBG_KAFKA_PROPERTIES_SASL_JAAS_CONFIG",
                                JAAS,
                                "RMBG_KAFKA_PROPERTIES_SSL_TRUSTSTORE_PASSWORD",
                                "trust-pw-456"));
        Properties p = c.kafkaProperties();
        assertThat(p)
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("ssl.truststore.location", "/etc/kafka/truststore.p12")
                .containsEntry("ssl.truststore.password", "trust-pw-456")
                .containsEntry("sasl.jaas.config", JAAS)
                .containsEntry("client.dns.lookup", "use_all_dns_ips")
                .hasSize(6);
        assertThat(PipelineConfig.defaults().kafkaProperties()).isEmpty();
    }

    @Test
    void kafkaSecretsNeverPrint() {
        PipelineConfig c =
                PipelineConfig.builder()
                        .set("kafka.properties.sasl.jaas.config", JAAS)
                        .set("kafka.properties.ssl.key.password", "key-pw-789")
                        .set("kafka.properties.ssl.keystore.key", "-----BEGIN PRIVATE KEY-----abc")
                        .set(
                                "kafka.properties.sasl.oauthbearer.client.credentials.client.secret",
                                "oauth-secret-1")
                        .set("kafka.properties.security.protocol", "SASL_SSL")
                        .build();
        assertThat(c.toString())
                .doesNotContain("kafka-pw-123")
                .doesNotContain("key-pw-789")
                .doesNotContain("PRIVATE KEY")
                .doesNotContain("oauth-secret-1")
                .contains("kafka.properties.sasl.jaas.config=****")
                .contains("kafka.properties.security.protocol=SASL_SSL");
        assertThat(ConfigKeys.isSecret("kafka.properties.ssl.truststore.location")).isFalse();
        assertThat(ConfigKeys.isSecret("kafka.properties.SASL.JAAS.CONFIG")).isTrue();
    }

    @Test
    void settingsTheJobDerivesCannotBePassedThrough() {
        assertThatThrownBy(
                        () ->
                                PipelineConfig.builder()
                                        .set("kafka.properties.bootstrap.servers", "x:9092")
                                        .build())
                .hasMessageContaining("kafka.bootstrap-servers");
        assertThatThrownBy(
                        () ->
                                PipelineConfig.builder()
                                        .set("kafka.properties.group.id", "g")
                                        .build())
                .hasMessageContaining("kafka.group-id");
        assertThatThrownBy(
                        () ->
                                PipelineConfig.builder()
                                        .set("kafka.properties.max.request.size", "1")
                                        .build())
                .hasMessageContaining("image.max-inline-bytes");
        assertThatThrownBy(() -> PipelineConfig.builder().set("kafka.properties.", "1").build())
                .hasMessageContaining("security.protocol");
        assertThatThrownBy(() -> PipelineConfig.builder().set("kafka.propertie.x", "1").build())
                .hasMessageContaining("unknown setting");
    }
}
