package io.rmbg.job.config;

import org.apache.flink.configuration.ConfigOption;

import io.rmbg.core.blob.S3Options;
import io.rmbg.core.blob.ServerSideEncryption;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;

import static org.apache.flink.configuration.ConfigOptions.key;

/**
 * {@code s3.*}, {@code s3.source.*} and {@code storage.retry-budget-ms}: the results store, where
 * sources are read, and how long an unreachable store is waited for.
 *
 * @param results the results bucket and its client
 * @param sources where {@code image_uri} sources are read: each {@code s3.source.*} setting, or its
 *     {@code s3.*} counterpart when blank; the bucket is the results bucket (a source store only
 *     reads full URIs)
 */
public record StorageSettings(S3Options results, S3Options sources, Duration retryBudget)
        implements Serializable {

    public static final ConfigOption<String> ENDPOINT =
            key(ConfigKeys.S3_ENDPOINT)
                    .stringType()
                    .defaultValue("http://localhost:9000")
                    .withDescription("empty for AWS itself");
    public static final ConfigOption<String> REGION =
            key(ConfigKeys.S3_REGION).stringType().defaultValue("us-east-1");
    public static final ConfigOption<String> BUCKET =
            key(ConfigKeys.S3_BUCKET).stringType().defaultValue("rmbg");
    public static final ConfigOption<String> ACCESS_KEY =
            key(ConfigKeys.S3_ACCESS_KEY)
                    .stringType()
                    .defaultValue("rmbg")
                    .withDescription("empty: the AWS default credential chain");
    public static final ConfigOption<String> SECRET_KEY =
            key(ConfigKeys.S3_SECRET_KEY).stringType().defaultValue("rmbg-secret");
    public static final ConfigOption<Boolean> PATH_STYLE =
            key(ConfigKeys.S3_PATH_STYLE).booleanType().defaultValue(true);
    public static final ConfigOption<String> SSE =
            key(ConfigKeys.S3_SSE)
                    .stringType()
                    .defaultValue("none")
                    .withDescription(
                            "server-side encryption of every blob written: none, aes256 (SSE-S3) or"
                                    + " aws:kms (SSE-KMS)");
    public static final ConfigOption<String> SSE_KMS_KEY_ID =
            key(ConfigKeys.S3_SSE_KMS_KEY_ID)
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "the KMS key for s3.sse=aws:kms; empty: the account's default");
    public static final ConfigOption<Long> RETRY_BUDGET_MS =
            key(ConfigKeys.STORAGE_RETRY_BUDGET_MS)
                    .longType()
                    .defaultValue(30_000L)
                    .withDescription(
                            "how long a blob write or source read that fails for lack of the store"
                                    + " is retried before the job fails");

    // Blank: the s3.* value. Kept as text so that blank stays distinguishable.
    public static final ConfigOption<String> SOURCE_ENDPOINT =
            key(ConfigKeys.S3_SOURCE_ENDPOINT).stringType().defaultValue("");
    public static final ConfigOption<String> SOURCE_REGION =
            key(ConfigKeys.S3_SOURCE_REGION).stringType().defaultValue("");
    public static final ConfigOption<String> SOURCE_ACCESS_KEY =
            key(ConfigKeys.S3_SOURCE_ACCESS_KEY).stringType().defaultValue("");
    public static final ConfigOption<String> SOURCE_SECRET_KEY =
            key(ConfigKeys.S3_SOURCE_SECRET_KEY).stringType().defaultValue("");
    public static final ConfigOption<String> SOURCE_PATH_STYLE =
            key(ConfigKeys.S3_SOURCE_PATH_STYLE)
                    .stringType()
                    .defaultValue("")
                    .withDescription("true, false or empty (the s3.path-style value)");

    static final List<ConfigOption<?>> OPTIONS =
            List.of(
                    ENDPOINT,
                    REGION,
                    BUCKET,
                    ACCESS_KEY,
                    SECRET_KEY,
                    PATH_STYLE,
                    SSE,
                    SSE_KMS_KEY_ID,
                    RETRY_BUDGET_MS,
                    SOURCE_ENDPOINT,
                    SOURCE_REGION,
                    SOURCE_ACCESS_KEY,
                    SOURCE_SECRET_KEY,
                    SOURCE_PATH_STYLE);

    static StorageSettings from(SettingValues values) {
        S3Options results =
                new S3Options(
                        blankToNull(values.get(ENDPOINT)),
                        values.get(REGION),
                        values.get(BUCKET),
                        blankToNull(values.get(ACCESS_KEY)),
                        blankToNull(values.get(SECRET_KEY)),
                        values.get(PATH_STYLE),
                        ServerSideEncryption.parse(values.get(SSE)),
                        blankToNull(values.get(SSE_KMS_KEY_ID)));
        return new StorageSettings(
                results, sources(values, results), values.millis(RETRY_BUDGET_MS));
    }

    private static S3Options sources(SettingValues values, S3Options results) {
        String accessKey = values.get(SOURCE_ACCESS_KEY);
        String secretKey = values.get(SOURCE_SECRET_KEY);
        if (accessKey.isBlank() != secretKey.isBlank()) {
            throw new IllegalArgumentException(
                    ConfigKeys.S3_SOURCE_ACCESS_KEY
                            + " and "
                            + ConfigKeys.S3_SOURCE_SECRET_KEY
                            + " go together: set both, or neither to read sources with s3.access-key/s3.secret-key");
        }
        boolean ownKeys = !accessKey.isBlank();
        return new S3Options(
                or(blankToNull(values.get(SOURCE_ENDPOINT)), results.endpoint()),
                or(blankToNull(values.get(SOURCE_REGION)), results.region()),
                results.bucket(),
                ownKeys ? accessKey : results.accessKey(),
                ownKeys ? secretKey : results.secretKey(),
                values.get(SOURCE_PATH_STYLE).isBlank()
                        ? results.pathStyle()
                        : values.booleanOf(ConfigKeys.S3_SOURCE_PATH_STYLE),
                // Sources are only read (reads need no SSE headers); the same settings keep one
                // client when nothing else differs.
                results.sse(),
                results.sseKmsKeyId());
    }

    private static String or(String value, String fallback) {
        return value != null ? value : fallback;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
