package io.rmbg.job.config;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Every setting's name: an outside contract (README, conf/job.properties, docs). Types and defaults
 * live with each setting's {@code ConfigOption} in its group ({@link PipelineOptions#ALL}).
 */
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
     * {@code kafka.properties.security.protocol=SASL_SSL}. Any suffix: not an option of {@link
     * PipelineOptions}.
     */
    public static final String KAFKA_PROPERTIES_PREFIX = "kafka.properties.";

    public static final String S3_ENDPOINT = "s3.endpoint";
    public static final String S3_REGION = "s3.region";
    public static final String S3_BUCKET = "s3.bucket";
    public static final String S3_ACCESS_KEY = "s3.access-key";
    public static final String S3_SECRET_KEY = "s3.secret-key";
    public static final String S3_PATH_STYLE = "s3.path-style";
    public static final String S3_SSE = "s3.sse";
    public static final String S3_SSE_KMS_KEY_ID = "s3.sse-kms-key-id";
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
    public static final String JDBC_CONNECT_TIMEOUT_MS = "jdbc.connect-timeout-ms";
    public static final String JDBC_SOCKET_TIMEOUT_MS = "jdbc.socket-timeout-ms";
    public static final String JDBC_STATEMENT_TIMEOUT_MS = "jdbc.statement-timeout-ms";
    public static final String JDBC_RECONCILE_STATEMENT_TIMEOUT_MS =
            "jdbc.reconcile-statement-timeout-ms";

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

    public static final String REUSE_ENABLED = "reuse.enabled";
    public static final String REUSE_CACHE_ENTRIES = "reuse.cache-entries";
    public static final String REUSE_VERIFY_TTL_MS = "reuse.verify-ttl-ms";

    public static final String SECURITY_MASTER_KEY = "security.master-key";
    public static final String SECURITY_ENCRYPT_ALL = "security.encrypt-all";

    private static final Set<String> SECRETS =
            Set.of(
                    JDBC_PASSWORD,
                    S3_SECRET_KEY,
                    S3_ACCESS_KEY,
                    S3_SOURCE_SECRET_KEY,
                    S3_SOURCE_ACCESS_KEY,
                    SECURITY_MASTER_KEY);

    /** Words in a Kafka client setting's name that mark its value as a secret. */
    private static final List<String> SECRET_WORDS =
            List.of("password", "jaas", "secret", "token", "credential");

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
}
