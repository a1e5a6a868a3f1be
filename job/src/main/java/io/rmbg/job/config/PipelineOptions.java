package io.rmbg.job.config;

import org.apache.flink.configuration.ConfigOption;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Every typed option of the pipeline, gathered from the settings groups that declare them (each
 * default lives with its option there). README's configuration table mirrors these.
 */
public final class PipelineOptions {
    private PipelineOptions() {}

    /** All options, in the order of README's configuration table. */
    public static final List<ConfigOption<?>> ALL =
            Stream.of(
                            KafkaSettings.OPTIONS,
                            StorageSettings.OPTIONS,
                            SourceSettings.OPTIONS,
                            JdbcSettings.OPTIONS,
                            ModelSettings.OPTIONS,
                            InferenceSettings.OPTIONS,
                            StateSettings.OPTIONS,
                            StatsSettings.OPTIONS,
                            ReuseOptions.OPTIONS,
                            SecurityOptions.OPTIONS)
                    .flatMap(List::stream)
                    .toList();

    /**
     * Each key's default as text: the local stack's endpoints (docs/contracts.md §8) and the
     * contract's limits.
     */
    public static final Map<String, String> DEFAULTS = defaults();

    /** Whether {@code key} is a setting of the pipeline ({@code kafka.properties.*} included). */
    public static boolean isKnown(String key) {
        return DEFAULTS.containsKey(key) || key.startsWith(ConfigKeys.KAFKA_PROPERTIES_PREFIX);
    }

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        for (ConfigOption<?> option : ALL) {
            if (d.put(option.key(), String.valueOf(option.defaultValue())) != null) {
                throw new IllegalStateException("option " + option.key() + " declared twice");
            }
        }
        return Collections.unmodifiableMap(d);
    }
}
