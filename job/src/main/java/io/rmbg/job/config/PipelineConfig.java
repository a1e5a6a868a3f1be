package io.rmbg.job.config;

import io.rmbg.core.blob.BlobKind;
import io.rmbg.core.blob.S3Options;
import io.rmbg.core.blob.SourcePolicy;
import io.rmbg.core.inference.DeviceSelection;
import io.rmbg.core.inference.GpuOptions;
import io.rmbg.core.process.ImageLimits;
import io.rmbg.core.process.ModelOptions;
import io.rmbg.core.process.RemoverSettings;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The pipeline's own settings, typed and validated once. Sources, later ones winning: the defaults
 * in {@link ConfigKeys}, a properties file ({@code --config conf/job.properties}), environment
 * variables ({@code RMBG_JDBC_PASSWORD} sets {@code jdbc.password}), then {@code --key value}
 * arguments. Secrets belong in the environment; {@link #toString()} masks them.
 */
public final class PipelineConfig implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String ENV_PREFIX = "RMBG_";

    /** Upper bound of {@code inference.batch-size}. */
    public static final int MAX_BATCH_SIZE = 64;

    private final Map<String, String> values;

    private PipelineConfig(Map<String, String> values) {
        this.values = values;
        validate();
    }

    /** Defaults only. */
    public static PipelineConfig defaults() {
        return builder().build();
    }

    /**
     * Reads {@code --config FILE}, the environment and {@code --key value} pairs from {@code args}.
     */
    public static PipelineConfig fromArgs(String[] args, Map<String, String> env)
            throws IOException {
        Builder builder = builder();
        for (int i = 0; i < args.length; i++) {
            if ("--config".equals(args[i]) && i + 1 < args.length) {
                builder.file(Path.of(args[i + 1]));
            }
        }
        builder.environment(env);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || "--config".equals(arg)) {
                continue;
            }
            if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                throw new IllegalArgumentException("option " + arg + " needs a value");
            }
            builder.set(arg.substring(2), args[++i]);
        }
        return builder.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.values.putAll(values);
        return b;
    }

    public String get(String key) {
        String value = values.get(key);
        if (value == null) {
            throw new IllegalArgumentException("no setting named '" + key + "'");
        }
        return value;
    }

    public long getLong(String key) {
        try {
            return Long.parseLong(get(key).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    key + " must be a whole number, got '" + get(key) + "'");
        }
    }

    public int getInt(String key) {
        return Math.toIntExact(getLong(key));
    }

    public boolean getBoolean(String key) {
        String v = get(key).trim().toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(
                    key + " must be true or false, got '" + get(key) + "'");
        }
        return Boolean.parseBoolean(v);
    }

    public Duration getDuration(String key) {
        return Duration.ofMillis(getLong(key));
    }

    public S3Options s3() {
        return new S3Options(
                blankToNull(get(ConfigKeys.S3_ENDPOINT)),
                get(ConfigKeys.S3_REGION),
                get(ConfigKeys.S3_BUCKET),
                blankToNull(get(ConfigKeys.S3_ACCESS_KEY)),
                blankToNull(get(ConfigKeys.S3_SECRET_KEY)),
                getBoolean(ConfigKeys.S3_PATH_STYLE));
    }

    /**
     * Where sources are read: each {@code s3.source.*} setting, or its {@code s3.*} counterpart
     * when blank. The bucket is the results bucket (a source store only reads full URIs).
     */
    public S3Options sourceS3() {
        S3Options results = s3();
        boolean ownKeys = !get(ConfigKeys.S3_SOURCE_ACCESS_KEY).isBlank();
        String pathStyle = get(ConfigKeys.S3_SOURCE_PATH_STYLE);
        return new S3Options(
                or(blankToNull(get(ConfigKeys.S3_SOURCE_ENDPOINT)), results.endpoint()),
                or(blankToNull(get(ConfigKeys.S3_SOURCE_REGION)), results.region()),
                results.bucket(),
                ownKeys ? get(ConfigKeys.S3_SOURCE_ACCESS_KEY) : results.accessKey(),
                ownKeys ? get(ConfigKeys.S3_SOURCE_SECRET_KEY) : results.secretKey(),
                pathStyle.isBlank()
                        ? results.pathStyle()
                        : getBoolean(ConfigKeys.S3_SOURCE_PATH_STYLE));
    }

    /** {@code source.allowed} with {@code ${s3.bucket}} filled in. */
    public SourcePolicy sourcePolicy() {
        String spec =
                get(ConfigKeys.SOURCE_ALLOWED)
                        .replace(ConfigKeys.RESULTS_BUCKET_PLACEHOLDER, get(ConfigKeys.S3_BUCKET));
        try {
            return SourcePolicy.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    ConfigKeys.SOURCE_ALLOWED + ": " + e.getMessage(), e);
        }
    }

    /**
     * The {@code kafka.properties.*} settings, prefix removed, for every Kafka client of the job.
     */
    public Properties kafkaProperties() {
        Properties props = new Properties();
        values.forEach(
                (k, v) -> {
                    if (k.startsWith(ConfigKeys.KAFKA_PROPERTIES_PREFIX)) {
                        props.setProperty(
                                k.substring(ConfigKeys.KAFKA_PROPERTIES_PREFIX.length()), v);
                    }
                });
        return props;
    }

    public ImageLimits imageLimits() {
        return new ImageLimits(
                getLong(ConfigKeys.IMAGE_MAX_PIXELS),
                getLong(ConfigKeys.IMAGE_MAX_SOURCE_BYTES),
                getLong(ConfigKeys.IMAGE_MAX_INLINE_BYTES));
    }

    public ModelOptions model() {
        return new ModelOptions(
                get(ConfigKeys.MODEL_PATH),
                get(ConfigKeys.MODEL_PROFILE),
                get(ConfigKeys.MODEL_DEVICE),
                getInt(ConfigKeys.MODEL_INTRA_OP_THREADS),
                gpu(),
                ModelOptions.parseAdditional(get(ConfigKeys.MODEL_ADDITIONAL)));
    }

    /**
     * {@code inference.memory-budget-mb} in bytes: the per-slot heap for decoded images in flight.
     */
    public long memoryBudgetBytes() {
        return getLong(ConfigKeys.INFERENCE_MEMORY_BUDGET_MB) << 20;
    }

    /** How each slot's background remover runs: pools, batching, memory budget, image limits. */
    public RemoverSettings removerSettings() {
        return new RemoverSettings(
                imageLimits(),
                getInt(ConfigKeys.INFERENCE_CPU_THREADS),
                getInt(ConfigKeys.INFERENCE_POSTPROCESS_THREADS),
                getInt(ConfigKeys.INFERENCE_BATCH_SIZE),
                getLong(ConfigKeys.INFERENCE_BATCH_TIMEOUT_MS),
                memoryBudgetBytes());
    }

    private GpuOptions gpu() {
        long limitMb = getLong(ConfigKeys.MODEL_CUDA_MEMORY_LIMIT_MB);
        if (limitMb < 0) {
            throw new IllegalArgumentException(
                    ConfigKeys.MODEL_CUDA_MEMORY_LIMIT_MB
                            + " cannot be negative (0: no limit), got "
                            + limitMb);
        }
        try {
            return new GpuOptions(
                    get(ConfigKeys.MODEL_CUDA_CONV_ALGO_SEARCH).trim(),
                    get(ConfigKeys.MODEL_CUDA_ARENA_EXTEND_STRATEGY).trim(),
                    limitMb * 1024 * 1024,
                    getBoolean(ConfigKeys.MODEL_TENSORRT_ENABLED),
                    getBoolean(ConfigKeys.MODEL_TENSORRT_FP16),
                    get(ConfigKeys.MODEL_TENSORRT_ENGINE_CACHE_DIR));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "model.cuda / model.tensorrt settings: " + e.getMessage(), e);
        }
    }

    private void validate() {
        for (String key : values.keySet()) {
            if (!ConfigKeys.DEFAULTS.containsKey(key)
                    && !key.startsWith(ConfigKeys.KAFKA_PROPERTIES_PREFIX)) {
                throw new IllegalArgumentException(
                        "unknown setting '"
                                + key
                                + "'; known settings: "
                                + ConfigKeys.DEFAULTS.keySet());
            }
        }
        imageLimits();
        s3();
        validateSources();
        validateKafkaProperties();
        model();
        DeviceSelection.check(get(ConfigKeys.MODEL_DEVICE));
        positive(ConfigKeys.INFERENCE_POSTPROCESS_THREADS);
        positive(ConfigKeys.INFERENCE_CAPACITY);
        positive(ConfigKeys.INFERENCE_TIMEOUT_MS);
        positive(ConfigKeys.INFERENCE_CPU_THREADS);
        positive(ConfigKeys.INFERENCE_BATCH_SIZE);
        positive(ConfigKeys.INFERENCE_MEMORY_BUDGET_MB);
        getBoolean(ConfigKeys.MODEL_CHECK_ON_CLIENT);
        if (getLong(ConfigKeys.INFERENCE_BATCH_SIZE) > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException(
                    ConfigKeys.INFERENCE_BATCH_SIZE
                            + " must be at most "
                            + MAX_BATCH_SIZE
                            + " (each slot holds two batches of 12 MiB per 1024² image), got "
                            + get(ConfigKeys.INFERENCE_BATCH_SIZE));
        }
        if (getLong(ConfigKeys.INFERENCE_BATCH_SIZE) > getLong(ConfigKeys.INFERENCE_CAPACITY)) {
            throw new IllegalArgumentException(
                    ConfigKeys.INFERENCE_BATCH_SIZE
                            + " ("
                            + get(ConfigKeys.INFERENCE_BATCH_SIZE)
                            + ") cannot exceed "
                            + ConfigKeys.INFERENCE_CAPACITY
                            + " ("
                            + get(ConfigKeys.INFERENCE_CAPACITY)
                            + "): a batch could never fill; raise the"
                            + " capacity to at least twice the batch size");
        }
        if (getLong(ConfigKeys.INFERENCE_BATCH_TIMEOUT_MS) < 0) {
            throw new IllegalArgumentException(
                    ConfigKeys.INFERENCE_BATCH_TIMEOUT_MS
                            + " cannot be negative, got "
                            + get(ConfigKeys.INFERENCE_BATCH_TIMEOUT_MS));
        }
        positive(ConfigKeys.CHECKPOINT_INTERVAL_MS);
        positive(ConfigKeys.DEDUP_RETENTION_MS);
        getLong(ConfigKeys.STORAGE_RETRY_BUDGET_MS);
        positive(ConfigKeys.STATS_SHARDS);
        positive(ConfigKeys.STATS_UPDATE_INTERVAL_MS);
        positive(ConfigKeys.STATS_OUT_OF_ORDERNESS_MS);
        positive(ConfigKeys.STATS_QUIET_PERIOD_MS);
        if (getLong(ConfigKeys.STATS_ALLOWED_LATENESS_MS) < 0) {
            throw new IllegalArgumentException(
                    ConfigKeys.STATS_ALLOWED_LATENESS_MS + " cannot be negative");
        }
        try {
            java.time.ZoneId.of(get(ConfigKeys.STATS_TIME_ZONE));
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException(
                    ConfigKeys.STATS_TIME_ZONE
                            + " must be a time zone such as UTC"
                            + " or Europe/Berlin, got '"
                            + get(ConfigKeys.STATS_TIME_ZONE)
                            + "'");
        }
        positive(ConfigKeys.JDBC_BATCH_SIZE);
        getLong(ConfigKeys.JDBC_BATCH_INTERVAL_MS);
        getInt(ConfigKeys.JDBC_MAX_RETRIES);
        String offsets = get(ConfigKeys.KAFKA_STARTING_OFFSETS);
        if (!offsets.equals("earliest")
                && !offsets.equals("latest")
                && !offsets.equals("committed")) {
            throw new IllegalArgumentException(
                    ConfigKeys.KAFKA_STARTING_OFFSETS
                            + " must be earliest, latest or committed, got '"
                            + offsets
                            + "'");
        }
    }

    private void validateSources() {
        if (get(ConfigKeys.S3_SOURCE_ACCESS_KEY).isBlank()
                != get(ConfigKeys.S3_SOURCE_SECRET_KEY).isBlank()) {
            throw new IllegalArgumentException(
                    ConfigKeys.S3_SOURCE_ACCESS_KEY
                            + " and "
                            + ConfigKeys.S3_SOURCE_SECRET_KEY
                            + " go together: set both, or neither to read sources with s3.access-key/s3.secret-key");
        }
        sourceS3();
        String bucket = get(ConfigKeys.S3_BUCKET);
        for (SourcePolicy.Entry entry : sourcePolicy().entries()) {
            if (!entry.bucket().equals(bucket)) {
                continue;
            }
            for (BlobKind kind : BlobKind.values()) {
                String area = kind.prefix() + "/";
                String fixed = entry.fixedPrefix();
                if (area.startsWith(fixed) || fixed.startsWith(area)) {
                    // Results are content-addressed, not per user: reading them would cross users.
                    throw new IllegalArgumentException(
                            ConfigKeys.SOURCE_ALLOWED
                                    + " entry '"
                                    + entry
                                    + "' reaches the job's "
                                    + area
                                    + " results in bucket "
                                    + bucket
                                    + "; allow an upload area instead, such as "
                                    + bucket
                                    + "/uploads/${user_id}/");
                }
            }
        }
    }

    /** Settings the job derives itself; passing them through would silently fight the job's. */
    private static final Map<String, String> MANAGED_KAFKA_PROPERTIES =
            Map.of(
                    "bootstrap.servers",
                    ConfigKeys.KAFKA_BOOTSTRAP_SERVERS,
                    "group.id",
                    ConfigKeys.KAFKA_GROUP_ID,
                    "max.partition.fetch.bytes",
                    ConfigKeys.KAFKA_MAX_FETCH_BYTES,
                    "fetch.max.bytes",
                    ConfigKeys.KAFKA_MAX_FETCH_BYTES,
                    "max.request.size",
                    ConfigKeys.IMAGE_MAX_INLINE_BYTES + " (dead letters hold whole inline images)",
                    "key.deserializer",
                    "the job's own deserializer",
                    "value.deserializer",
                    "the job's own deserializer",
                    "key.serializer",
                    "the job's own serializer",
                    "value.serializer",
                    "the job's own serializer",
                    "transactional.id",
                    "the job's at-least-once sinks, which use no transactions");

    private void validateKafkaProperties() {
        for (String name : kafkaProperties().stringPropertyNames()) {
            String instead = MANAGED_KAFKA_PROPERTIES.get(name);
            if (instead != null) {
                throw new IllegalArgumentException(
                        ConfigKeys.KAFKA_PROPERTIES_PREFIX
                                + name
                                + " cannot be passed through; it is set from "
                                + instead);
            }
            if (name.isBlank()) {
                throw new IllegalArgumentException(
                        ConfigKeys.KAFKA_PROPERTIES_PREFIX
                                + " needs a Kafka client setting's name after it, such as security.protocol");
            }
        }
    }

    private static String or(String value, String fallback) {
        return value != null ? value : fallback;
    }

    private void positive(String key) {
        if (getLong(key) <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got " + get(key));
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("PipelineConfig{");
        values.forEach(
                (k, v) ->
                        sb.append(k)
                                .append('=')
                                .append(ConfigKeys.isSecret(k) && !v.isEmpty() ? "****" : v)
                                .append(", "));
        return sb.append('}').toString();
    }

    /** Collects settings; {@link #build()} validates them. */
    public static final class Builder {
        private final Map<String, String> values = new TreeMap<>(ConfigKeys.DEFAULTS);

        public Builder set(String key, String value) {
            values.put(key, value);
            return this;
        }

        public Builder set(String key, long value) {
            return set(key, Long.toString(value));
        }

        public Builder file(Path file) throws IOException {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(
                        "config file " + file.toAbsolutePath() + " does not exist");
            }
            Properties props = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                props.load(r);
            }
            props.stringPropertyNames().forEach(k -> set(k.trim(), props.getProperty(k).trim()));
            return this;
        }

        /**
         * Applies {@code RMBG_*} variables whose name matches a known key, and {@code
         * RMBG_KAFKA_PROPERTIES_*} ones as Kafka client settings ({@code
         * RMBG_KAFKA_PROPERTIES_SASL_JAAS_CONFIG} sets {@code kafka.properties.sasl.jaas.config}:
         * Kafka's own setting names are lowercase words joined by dots).
         */
        public Builder environment(Map<String, String> env) {
            for (String key : ConfigKeys.DEFAULTS.keySet()) {
                String name = ENV_PREFIX + key.toUpperCase(Locale.ROOT).replaceAll("[.-]", "_");
                if (env.containsKey(name)) {
                    set(key, env.get(name));
                }
            }
            String kafka = ENV_PREFIX + "KAFKA_PROPERTIES_";
            new TreeMap<>(env)
                    .forEach(
                            (name, value) -> {
                                if (name.startsWith(kafka) && name.length() > kafka.length()) {
                                    set(
                                            ConfigKeys.KAFKA_PROPERTIES_PREFIX
                                                    + name.substring(kafka.length())
                                                            .toLowerCase(Locale.ROOT)
                                                            .replace('_', '.'),
                                            value);
                                }
                            });
            return this;
        }

        public PipelineConfig build() {
            return new PipelineConfig(new TreeMap<>(values));
        }
    }
}
