package io.rmbg.job.config;

import org.apache.flink.configuration.ConfigOption;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every named setting has exactly one typed option, whose default is the documented one. */
class PipelineOptionsTest {
    /** Constants of {@link ConfigKeys} that are not settings themselves. */
    private static final Set<String> NOT_SETTINGS =
            Set.of(ConfigKeys.KAFKA_PROPERTIES_PREFIX, ConfigKeys.RESULTS_BUCKET_PLACEHOLDER);

    @Test
    void everyKeyHasOneOptionAndEveryOptionAKey() throws Exception {
        Set<String> keys = new TreeSet<>();
        for (Field f : ConfigKeys.class.getDeclaredFields()) {
            if (Modifier.isPublic(f.getModifiers()) && f.getType() == String.class) {
                keys.add((String) f.get(null));
            }
        }
        keys.removeAll(NOT_SETTINGS);
        assertThat(PipelineOptions.ALL.stream().map(ConfigOption::key).toList())
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(keys);
    }

    @Test
    void defaultsAreTheContractsValues() {
        assertThat(PipelineOptions.DEFAULTS)
                .containsEntry(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS, "localhost:9092")
                .containsEntry(ConfigKeys.KAFKA_MAX_FETCH_BYTES, "16777216")
                .containsEntry(ConfigKeys.S3_SOURCE_PATH_STYLE, "")
                .containsEntry(ConfigKeys.SOURCE_ALLOWED, "${s3.bucket}/uploads/${user_id}/")
                .containsEntry(ConfigKeys.JDBC_URL, "jdbc:postgresql://localhost:5432/rmbg")
                .containsEntry(ConfigKeys.MODEL_CUDA_CONV_ALGO_SEARCH, "HEURISTIC")
                .containsEntry(ConfigKeys.MODEL_TENSORRT_FP16, "true")
                .containsEntry(ConfigKeys.MODEL_TENSORRT_ENGINE_CACHE_DIR, "")
                .containsEntry(ConfigKeys.INFERENCE_MEMORY_BUDGET_MB, "1024")
                .containsEntry(ConfigKeys.IMAGE_MAX_SOURCE_BYTES, "67108864")
                .containsEntry(ConfigKeys.DEDUP_RETENTION_MS, "604800000")
                .containsEntry(ConfigKeys.STATS_RECONCILE_AFTER_RESTORE_MS, "600000");
    }

    @Test
    void groupsReadTypedValues() {
        PipelineConfig c =
                PipelineConfig.builder()
                        .set(ConfigKeys.STATS_TIME_ZONE, "Europe/Berlin")
                        .set(ConfigKeys.JDBC_BATCH_SIZE, " 7 ")
                        .set(ConfigKeys.JDBC_PASSWORD, "pw-123")
                        .set(ConfigKeys.CHECKPOINT_INTERVAL_MS, 2500)
                        .build();
        assertThat(c.stats().timeZone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(c.stats().allowedLateness()).isEqualTo(Duration.ofDays(7));
        assertThat(c.jdbc().batchSize()).isEqualTo(7);
        assertThat(c.state().checkpointInterval()).isEqualTo(Duration.ofMillis(2500));
        assertThat(c.kafka().deadLetterMaxValueBytes()).isEqualTo(1_000_000L);
        assertThat(c.inference().capacity()).isEqualTo(16);
        assertThat(c.jdbc().password()).isEqualTo("pw-123");
        assertThat(c.jdbc().toString()).doesNotContain("pw-123");
    }

    @Test
    void aSettingReadOnlyLaterIsStillCheckedAtOnce() {
        // Once read only when the topology was built; now a typo fails the config itself.
        assertThatThrownBy(
                        () ->
                                PipelineConfig.builder()
                                        .set(ConfigKeys.STATS_MAX_CLOCK_SKEW_MS, "5m")
                                        .build())
                .hasMessageContaining("stats.max-clock-skew-ms must be a whole number, got '5m'");
        assertThatThrownBy(
                        () ->
                                PipelineConfig.builder()
                                        .set(ConfigKeys.JDBC_MAX_RETRIES, "99999999999")
                                        .build())
                .hasMessageContaining("jdbc.max-retries");
    }

    @Test
    void jdbcConnectionsCarryTheTimeouts() {
        assertThat(PipelineConfig.builder().build().jdbc().connectionProperties())
                .containsEntry("connectTimeout", "10")
                .containsEntry("socketTimeout", "60")
                .containsEntry("options", "-c statement_timeout=30000");
        assertThat(
                        PipelineConfig.builder()
                                .set(ConfigKeys.JDBC_SOCKET_TIMEOUT_MS, 0)
                                .set(ConfigKeys.JDBC_STATEMENT_TIMEOUT_MS, 0)
                                .set(ConfigKeys.JDBC_CONNECT_TIMEOUT_MS, 1500)
                                .build()
                                .jdbc()
                                .connectionProperties())
                .containsEntry("connectTimeout", "2")
                .containsEntry("socketTimeout", "0")
                .containsEntry("options", "-c statement_timeout=0");
        // The day recomputation: its own statement limit, the socket the same 30 s above it.
        assertThat(PipelineConfig.builder().build().jdbc().forReconcile().connectionProperties())
                .containsEntry("socketTimeout", "150")
                .containsEntry("options", "-c statement_timeout=120000");
        assertThat(
                        PipelineConfig.builder()
                                .set(ConfigKeys.JDBC_RECONCILE_STATEMENT_TIMEOUT_MS, 0)
                                .build()
                                .jdbc()
                                .forReconcile()
                                .connectionProperties())
                .containsEntry("socketTimeout", "0")
                .containsEntry("options", "-c statement_timeout=0");
        // A socket that gives up first would hide PostgreSQL's own, clearer, cancellation.
        assertThatThrownBy(
                        () ->
                                PipelineConfig.builder()
                                        .set(ConfigKeys.JDBC_SOCKET_TIMEOUT_MS, 30_000)
                                        .build())
                .hasMessageContaining(
                        "jdbc.socket-timeout-ms (30000) must be longer than"
                                + " jdbc.statement-timeout-ms (30000)");
        assertThatThrownBy(
                        () ->
                                PipelineConfig.builder()
                                        .set(ConfigKeys.JDBC_CONNECT_TIMEOUT_MS, -1)
                                        .build())
                .hasMessageContaining("jdbc.connect-timeout-ms cannot be negative");
    }
}
