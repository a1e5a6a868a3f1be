package io.rmbg.job.config;

import io.rmbg.core.process.RemoverSettings;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Every setting of the pipeline, with its default. README's configuration table mirrors this. */
public final class ConfigKeys {
    private ConfigKeys() {}

    public static final String KAFKA_BOOTSTRAP_SERVERS = "kafka.bootstrap-servers";
    public static final String KAFKA_TOPIC_EVENTS = "kafka.topic.events";
    public static final String KAFKA_TOPIC_RESULTS = "kafka.topic.results";
    public static final String KAFKA_TOPIC_DLQ = "kafka.topic.dlq";
    public static final String KAFKA_GROUP_ID = "kafka.group-id";
    public static final String KAFKA_STARTING_OFFSETS = "kafka.starting-offsets";
    public static final String KAFKA_MAX_FETCH_BYTES = "kafka.max-fetch-bytes";
    public static final String KAFKA_DLQ_MAX_VALUE_BYTES = "kafka.dlq.max-value-bytes";

    /**
     * Kafka client settings passed through to the source and both Kafka sinks, prefix removed:
     * {@code kafka.properties.security.protocol=SASL_SSL}. Not in {@link #DEFAULTS}: any suffix.
     */
    public static final String KAFKA_PROPERTIES_PREFIX = "kafka.properties.";

    public static final String S3_ENDPOINT = "s3.endpoint";
    public static final String S3_REGION = "s3.region";
    public static final String S3_BUCKET = "s3.bucket";
    public static final String S3_ACCESS_KEY = "s3.access-key";
    public static final String S3_SECRET_KEY = "s3.secret-key";
    public static final String S3_PATH_STYLE = "s3.path-style";
    public static final String STORAGE_RETRY_BUDGET_MS = "storage.retry-budget-ms";
    // Where sources are read from, when not with the s3.* settings (blank: the s3.* value).
    public static final String S3_SOURCE_ENDPOINT = "s3.source.endpoint";
    public static final String S3_SOURCE_REGION = "s3.source.region";
    public static final String S3_SOURCE_ACCESS_KEY = "s3.source.access-key";
    public static final String S3_SOURCE_SECRET_KEY = "s3.source.secret-key";
    public static final String S3_SOURCE_PATH_STYLE = "s3.source.path-style";

    /**
     * Comma-separated {@code bucket/prefix} entries an {@code image_uri} must fall in
     * (SourcePolicy).
     */
    public static final String SOURCE_ALLOWED = "source.allowed";

    /** Stands for the value of {@code s3.bucket} in {@code source.allowed}. */
    public static final String RESULTS_BUCKET_PLACEHOLDER = "${s3.bucket}";

    public static final String JDBC_URL = "jdbc.url";
    public static final String JDBC_USER = "jdbc.user";
    public static final String JDBC_PASSWORD = "jdbc.password";
    public static final String JDBC_BATCH_SIZE = "jdbc.batch-size";
    public static final String JDBC_BATCH_INTERVAL_MS = "jdbc.batch-interval-ms";
    public static final String JDBC_MAX_RETRIES = "jdbc.max-retries";

    public static final String MODEL_PATH = "model.path";
    public static final String MODEL_PROFILE = "model.profile";
    public static final String MODEL_DEVICE = "model.device";
    public static final String MODEL_INTRA_OP_THREADS = "model.intra-op-threads";
    public static final String MODEL_ADDITIONAL = "model.additional";
    public static final String MODEL_CUDA_CONV_ALGO_SEARCH = "model.cuda.cudnn-conv-algo-search";
    public static final String MODEL_CUDA_ARENA_EXTEND_STRATEGY =
            "model.cuda.arena-extend-strategy";
    public static final String MODEL_CUDA_MEMORY_LIMIT_MB = "model.cuda.memory-limit-mb";
    public static final String MODEL_TENSORRT_ENABLED = "model.tensorrt.enabled";
    public static final String MODEL_TENSORRT_FP16 = "model.tensorrt.fp16";
    public static final String MODEL_TENSORRT_ENGINE_CACHE_DIR = "model.tensorrt.engine-cache-dir";
    public static final String MODEL_CHECK_ON_CLIENT = "model.check-on-client";

    public static final String INFERENCE_CAPACITY = "inference.capacity";
    public static final String INFERENCE_TIMEOUT_MS = "inference.timeout-ms";
    public static final String INFERENCE_CPU_THREADS = "inference.cpu-threads";
    public static final String INFERENCE_POSTPROCESS_THREADS = "inference.postprocess-threads";
    public static final String INFERENCE_BATCH_SIZE = "inference.batch-size";
    public static final String INFERENCE_BATCH_TIMEOUT_MS = "inference.batch-timeout-ms";
    public static final String INFERENCE_MEMORY_BUDGET_MB = "inference.memory-budget-mb";

    public static final String IMAGE_MAX_PIXELS = "image.max-pixels";
    public static final String IMAGE_MAX_SOURCE_BYTES = "image.max-source-bytes";
    public static final String IMAGE_MAX_INLINE_BYTES = "image.max-inline-bytes";

    public static final String CHECKPOINT_INTERVAL_MS = "checkpoint.interval-ms";

    public static final String DEDUP_RETENTION_MS = "dedup.retention-ms";

    public static final String STATS_TIME_ZONE = "stats.time-zone";
    public static final String STATS_SHARDS = "stats.shards";
    public static final String STATS_UPDATE_INTERVAL_MS = "stats.update-interval-ms";
    public static final String STATS_ALLOWED_LATENESS_MS = "stats.allowed-lateness-ms";
    public static final String STATS_OUT_OF_ORDERNESS_MS = "stats.out-of-orderness-ms";
    public static final String STATS_QUIET_PERIOD_MS = "stats.quiet-period-ms";
    public static final String STATS_MAX_CLOCK_SKEW_MS = "stats.max-clock-skew-ms";
    public static final String STATS_RECONCILE_QUIET_MS = "stats.reconcile.quiet-ms";
    public static final String STATS_RECONCILE_MAX_WAIT_MS = "stats.reconcile.max-wait-ms";
    public static final String STATS_RECONCILE_AFTER_RESTORE_MS =
            "stats.reconcile.after-restore-ms";

    private static final Set<String> SECRETS =
            Set.of(
                    JDBC_PASSWORD,
                    S3_SECRET_KEY,
                    S3_ACCESS_KEY,
                    S3_SOURCE_SECRET_KEY,
                    S3_SOURCE_ACCESS_KEY);

    /** Words in a Kafka client setting's name that mark its value as a secret. */
    private static final List<String> SECRET_WORDS =
            List.of("password", "jaas", "secret", "token", "credential");

    /** Defaults: the local stack's endpoints (docs/contracts.md §8) and the contract's limits. */
    public static final Map<String, String> DEFAULTS = defaults();

    /** Whether printing {@code key}'s value would reveal a secret. */
    public static boolean isSecret(String key) {
        if (SECRETS.contains(key)) {
            return true;
        }
        if (!key.startsWith(KAFKA_PROPERTIES_PREFIX)) {
            return false;
        }
        String name = key.toLowerCase(Locale.ROOT);
        // ssl.keystore.key holds a PEM private key.
        return name.endsWith(".key") || SECRET_WORDS.stream().anyMatch(name::contains);
    }

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(KAFKA_BOOTSTRAP_SERVERS, "localhost:9092");
        d.put(KAFKA_TOPIC_EVENTS, "image-events");
        d.put(KAFKA_TOPIC_RESULTS, "image-results");
        d.put(KAFKA_TOPIC_DLQ, "image-events-dlq");
        d.put(KAFKA_GROUP_ID, "rmbg-flink");
        d.put(KAFKA_STARTING_OFFSETS, "committed");
        d.put(KAFKA_MAX_FETCH_BYTES, Long.toString(16L * 1024 * 1024));
        // Kafka's default topic limit is 1 MiB; headers and batch overhead need the rest.
        d.put(KAFKA_DLQ_MAX_VALUE_BYTES, "1000000");
        d.put(S3_ENDPOINT, "http://localhost:9000");
        d.put(S3_REGION, "us-east-1");
        d.put(S3_BUCKET, "rmbg");
        d.put(S3_ACCESS_KEY, "rmbg");
        d.put(S3_SECRET_KEY, "rmbg-secret");
        d.put(S3_PATH_STYLE, "true");
        d.put(STORAGE_RETRY_BUDGET_MS, "30000");
        d.put(S3_SOURCE_ENDPOINT, "");
        d.put(S3_SOURCE_REGION, "");
        d.put(S3_SOURCE_ACCESS_KEY, "");
        d.put(S3_SOURCE_SECRET_KEY, "");
        d.put(S3_SOURCE_PATH_STYLE, "");
        // Each user reads only their own folder of the results bucket's uploads/ area.
        d.put(SOURCE_ALLOWED, RESULTS_BUCKET_PLACEHOLDER + "/uploads/${user_id}/");
        d.put(JDBC_URL, "jdbc:postgresql://localhost:5432/rmbg");
        d.put(JDBC_USER, "rmbg");
        d.put(JDBC_PASSWORD, "rmbg");
        d.put(JDBC_BATCH_SIZE, "100");
        d.put(JDBC_BATCH_INTERVAL_MS, "200");
        d.put(JDBC_MAX_RETRIES, "5");
        d.put(MODEL_PATH, "models/colour-key.onnx");
        d.put(MODEL_PROFILE, "rmbg-2.0");
        d.put(MODEL_DEVICE, "cpu");
        d.put(MODEL_INTRA_OP_THREADS, "0");
        d.put(MODEL_ADDITIONAL, "");
        d.put(MODEL_CUDA_CONV_ALGO_SEARCH, "HEURISTIC");
        d.put(MODEL_CUDA_ARENA_EXTEND_STRATEGY, "kSameAsRequested");
        d.put(MODEL_CUDA_MEMORY_LIMIT_MB, "0");
        d.put(MODEL_TENSORRT_ENABLED, "false");
        d.put(MODEL_TENSORRT_FP16, "true");
        d.put(MODEL_TENSORRT_ENGINE_CACHE_DIR, "");
        d.put(MODEL_CHECK_ON_CLIENT, "true");
        d.put(INFERENCE_CAPACITY, "16");
        d.put(INFERENCE_TIMEOUT_MS, "120000");
        d.put(INFERENCE_CPU_THREADS, "2");
        d.put(INFERENCE_POSTPROCESS_THREADS, "2");
        d.put(INFERENCE_BATCH_SIZE, String.valueOf(RemoverSettings.DEFAULT_BATCH_SIZE));
        d.put(INFERENCE_BATCH_TIMEOUT_MS, String.valueOf(RemoverSettings.DEFAULT_BATCH_TIMEOUT_MS));
        d.put(
                INFERENCE_MEMORY_BUDGET_MB,
                String.valueOf(RemoverSettings.DEFAULT_MEMORY_BUDGET_BYTES >> 20));
        d.put(IMAGE_MAX_PIXELS, "50000000");
        d.put(IMAGE_MAX_SOURCE_BYTES, Long.toString(64L * 1024 * 1024));
        d.put(IMAGE_MAX_INLINE_BYTES, Long.toString(8L * 1024 * 1024));
        d.put(CHECKPOINT_INTERVAL_MS, "10000");
        d.put(DEDUP_RETENTION_MS, Long.toString(Duration.ofDays(7).toMillis()));
        d.put(STATS_TIME_ZONE, "UTC");
        d.put(STATS_SHARDS, "4");
        d.put(STATS_UPDATE_INTERVAL_MS, "10000");
        d.put(STATS_ALLOWED_LATENESS_MS, Long.toString(Duration.ofDays(7).toMillis()));
        d.put(STATS_OUT_OF_ORDERNESS_MS, "60000");
        d.put(STATS_QUIET_PERIOD_MS, "60000");
        d.put(STATS_MAX_CLOCK_SKEW_MS, "300000");
        // After the checkpoint interval every row is written; 30 s leaves room for slow ones.
        d.put(STATS_RECONCILE_QUIET_MS, "30000");
        d.put(STATS_RECONCILE_MAX_WAIT_MS, Long.toString(Duration.ofMinutes(2).toMillis()));
        d.put(STATS_RECONCILE_AFTER_RESTORE_MS, Long.toString(Duration.ofMinutes(10).toMillis()));
        return java.util.Collections.unmodifiableMap(d);
    }
}
