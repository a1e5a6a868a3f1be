package io.rmbg.job.config;

import org.apache.flink.configuration.ConfigOption;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;

import static org.apache.flink.configuration.ConfigOptions.key;

/**
 * {@code checkpoint.interval-ms} and {@code dedup.retention-ms}: how often state is saved and how
 * long job ids are remembered.
 *
 * @param dedupRetention how long job ids (and the user who named each first) are remembered: to
 *     drop re-sent events' second results and to refuse another user's event for the same job id
 */
public record StateSettings(Duration checkpointInterval, Duration dedupRetention)
        implements Serializable {

    public static final ConfigOption<Long> CHECKPOINT_INTERVAL_MS =
            key(ConfigKeys.CHECKPOINT_INTERVAL_MS).longType().defaultValue(10_000L);
    public static final ConfigOption<Long> DEDUP_RETENTION_MS =
            key(ConfigKeys.DEDUP_RETENTION_MS)
                    .longType()
                    .defaultValue(Duration.ofDays(7).toMillis());

    static final List<ConfigOption<?>> OPTIONS =
            List.of(CHECKPOINT_INTERVAL_MS, DEDUP_RETENTION_MS);

    static StateSettings from(SettingValues values) {
        return new StateSettings(
                Duration.ofMillis(values.positiveLong(CHECKPOINT_INTERVAL_MS)),
                Duration.ofMillis(values.positiveLong(DEDUP_RETENTION_MS)));
    }
}
