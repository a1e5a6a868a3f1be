package io.rmbg.job.config;

import org.apache.flink.configuration.ConfigOption;

import io.rmbg.core.reuse.ReuseSettings;

import java.util.List;

import static org.apache.flink.configuration.ConfigOptions.key;

/**
 * {@code reuse.*}: result reuse, read into core's {@link ReuseSettings} (whose constants are the
 * defaults).
 */
final class ReuseOptions {
    static final ConfigOption<Boolean> ENABLED =
            key(ConfigKeys.REUSE_ENABLED)
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "serve an identical earlier result (same image, model version and"
                                    + " output params) instead of running the model");
    static final ConfigOption<Integer> CACHE_ENTRIES =
            key(ConfigKeys.REUSE_CACHE_ENTRIES)
                    .intType()
                    .defaultValue(ReuseSettings.DEFAULT_CACHE_ENTRIES)
                    .withDescription("entries of each slot's in-memory LRU before the index");
    static final ConfigOption<Long> VERIFY_TTL_MS =
            key(ConfigKeys.REUSE_VERIFY_TTL_MS)
                    .longType()
                    .defaultValue(ReuseSettings.DEFAULT_VERIFY_TTL_MS)
                    .withDescription("how long a check that an entry's blobs exist is trusted");

    static final List<ConfigOption<?>> OPTIONS = List.of(ENABLED, CACHE_ENTRIES, VERIFY_TTL_MS);

    private ReuseOptions() {}

    static ReuseSettings from(SettingValues values) {
        return new ReuseSettings(
                values.get(ENABLED),
                values.positive(CACHE_ENTRIES),
                values.nonNegative(VERIFY_TTL_MS));
    }
}
