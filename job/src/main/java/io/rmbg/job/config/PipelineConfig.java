package io.rmbg.job.config;

import org.apache.flink.configuration.ConfigOption;

import io.rmbg.core.blob.S3Options;
import io.rmbg.core.blob.SourcePolicy;
import io.rmbg.core.crypto.BlobSealer;
import io.rmbg.core.process.ImageLimits;
import io.rmbg.core.process.ModelOptions;
import io.rmbg.core.process.RemoverSettings;
import io.rmbg.core.reuse.ReuseSettings;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The pipeline's own settings, typed and validated once into settings groups ({@link #kafka()},
 * {@link #storage()}, {@link #jdbc()}, {@link #inference()}, …). Sources, later ones winning: the
 * options' defaults ({@link PipelineOptions}), a properties file ({@code --config
 * conf/job.properties}), environment variables ({@code RMBG_JDBC_PASSWORD} sets {@code
 * jdbc.password}), then {@code --key value} arguments. Secrets belong in the environment; {@link
 * #toString()} masks them.
 *
 * <pre>{@code
 * PipelineConfig config = PipelineConfig.builder().set(ConfigKeys.INFERENCE_CAPACITY, 32).build();
 * int capacity = config.inference().capacity();
 * }</pre>
 */
public final class PipelineConfig implements Serializable {
    private static final long serialVersionUID = 3L;
    private static final String ENV_PREFIX = "RMBG_";

    private final SettingValues values;
    private final KafkaSettings kafka;
    private final StorageSettings storage;
    private final SourcePolicy sourcePolicy;
    private final JdbcSettings jdbc;
    private final ModelSettings model;
    private final InferenceSettings inference;
    private final StateSettings state;
    private final StatsSettings stats;
    private final ReuseSettings reuse;
    private final BlobSealer sealer;

    private PipelineConfig(Map<String, String> settings) {
        for (String key : settings.keySet()) {
            if (!PipelineOptions.isKnown(key)) {
                throw new IllegalArgumentException(
                        "unknown setting '"
                                + key
                                + "'; known settings: "
                                + PipelineOptions.DEFAULTS.keySet());
            }
        }
        this.values = new SettingValues(settings);
        this.inference = InferenceSettings.from(values);
        this.storage = StorageSettings.from(values);
        this.sourcePolicy = SourceSettings.policy(values, storage.results().bucket());
        this.kafka = KafkaSettings.from(values);
        this.model = ModelSettings.from(values);
        this.state = StateSettings.from(values);
        this.stats = StatsSettings.from(values);
        this.jdbc = JdbcSettings.from(values);
        this.reuse = ReuseOptions.from(values);
        this.sealer = SecurityOptions.from(values);
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
        b.values.putAll(values.asMap());
        return b;
    }

    /** A setting's text as given; {@link #get(ConfigOption)} reads it typed. */
    public String get(String key) {
        return values.text(key);
    }

    /** A setting, typed: {@code config.get(InferenceSettings.CAPACITY)}. */
    public <T> T get(ConfigOption<T> option) {
        return values.get(option);
    }

    public KafkaSettings kafka() {
        return kafka;
    }

    public StorageSettings storage() {
        return storage;
    }

    public JdbcSettings jdbc() {
        return jdbc;
    }

    public InferenceSettings inference() {
        return inference;
    }

    public StateSettings state() {
        return state;
    }

    public StatsSettings stats() {
        return stats;
    }

    /** {@code reuse.*}: result reuse (core's {@link ReuseSettings}). */
    public ReuseSettings reuse() {
        return reuse;
    }

    /**
     * {@code security.*}: seals the blobs of sensitive images (all under {@code
     * security.encrypt-all}) and opens them for {@code bin/rmbg fetch} and {@code check}.
     */
    public BlobSealer sealer() {
        return sealer;
    }

    /** The results store's client settings. */
    public S3Options s3() {
        return storage.results();
    }

    /** Where sources are read (see {@link StorageSettings#sources()}). */
    public S3Options sourceS3() {
        return storage.sources();
    }

    /** {@code source.allowed} with {@code ${s3.bucket}} filled in. */
    public SourcePolicy sourcePolicy() {
        return sourcePolicy;
    }

    /**
     * The {@code kafka.properties.*} settings, prefix removed, for every Kafka client of the job.
     */
    public Properties kafkaProperties() {
        return kafka.properties();
    }

    public ImageLimits imageLimits() {
        return inference.remover().limits();
    }

    public ModelOptions model() {
        return model.options();
    }

    /** {@code model.check-on-client}: whether the submitting machine loads every model first. */
    public boolean checkModelOnClient() {
        return model.checkOnClient();
    }

    /**
     * {@code inference.memory-budget-mb} in bytes: the per-slot heap for decoded images in flight.
     */
    public long memoryBudgetBytes() {
        return inference.memoryBudgetBytes();
    }

    /** How each slot's background remover runs: pools, batching, memory budget, image limits. */
    public RemoverSettings removerSettings() {
        return inference.remover();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("PipelineConfig{");
        values.asMap()
                .forEach(
                        (k, v) ->
                                sb.append(k)
                                        .append('=')
                                        .append(ConfigKeys.isSecret(k) && !v.isEmpty() ? "****" : v)
                                        .append(", "));
        return sb.append('}').toString();
    }

    /** Collects settings; {@link #build()} validates them. */
    public static final class Builder {
        private final Map<String, String> values = new TreeMap<>(PipelineOptions.DEFAULTS);

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
            for (String key : PipelineOptions.DEFAULTS.keySet()) {
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
            return new PipelineConfig(values);
        }
    }
}
