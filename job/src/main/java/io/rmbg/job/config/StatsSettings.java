package io.rmbg.job.config;

import org.apache.flink.configuration.ConfigOption;

import java.io.Serializable;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

import static org.apache.flink.configuration.ConfigOptions.key;

/** {@code stats.*}: how {@code processing_stats} counts days, and when it recomputes them. */
public record StatsSettings(
        ZoneId timeZone,
        int shards,
        Duration updateInterval,
        Duration allowedLateness,
        Duration outOfOrderness,
        Duration quietPeriod,
        Duration maxClockSkew,
        Duration reconcileQuiet,
        Duration reconcileMaxWait,
        Duration reconcileAfterRestore)
        implements Serializable {

    public static final ConfigOption<String> TIME_ZONE =
            key(ConfigKeys.STATS_TIME_ZONE)
                    .stringType()
                    .defaultValue("UTC")
                    .withDescription("the zone whose calendar days processing_stats counts");
    public static final ConfigOption<Integer> SHARDS =
            key(ConfigKeys.STATS_SHARDS)
                    .intType()
                    .defaultValue(4)
                    .withDescription("how many parallel windows share one day's counting");
    public static final ConfigOption<Long> UPDATE_INTERVAL_MS =
            key(ConfigKeys.STATS_UPDATE_INTERVAL_MS).longType().defaultValue(10_000L);
    public static final ConfigOption<Long> ALLOWED_LATENESS_MS =
            key(ConfigKeys.STATS_ALLOWED_LATENESS_MS)
                    .longType()
                    .defaultValue(Duration.ofDays(7).toMillis());
    public static final ConfigOption<Long> OUT_OF_ORDERNESS_MS =
            key(ConfigKeys.STATS_OUT_OF_ORDERNESS_MS).longType().defaultValue(60_000L);
    public static final ConfigOption<Long> QUIET_PERIOD_MS =
            key(ConfigKeys.STATS_QUIET_PERIOD_MS).longType().defaultValue(60_000L);
    public static final ConfigOption<Long> MAX_CLOCK_SKEW_MS =
            key(ConfigKeys.STATS_MAX_CLOCK_SKEW_MS).longType().defaultValue(300_000L);

    /** After the checkpoint interval every row is written; 30 s leaves room for slow ones. */
    public static final ConfigOption<Long> RECONCILE_QUIET_MS =
            key(ConfigKeys.STATS_RECONCILE_QUIET_MS).longType().defaultValue(30_000L);

    public static final ConfigOption<Long> RECONCILE_MAX_WAIT_MS =
            key(ConfigKeys.STATS_RECONCILE_MAX_WAIT_MS)
                    .longType()
                    .defaultValue(Duration.ofMinutes(2).toMillis());
    public static final ConfigOption<Long> RECONCILE_AFTER_RESTORE_MS =
            key(ConfigKeys.STATS_RECONCILE_AFTER_RESTORE_MS)
                    .longType()
                    .defaultValue(Duration.ofMinutes(10).toMillis());

    static final List<ConfigOption<?>> OPTIONS =
            List.of(
                    TIME_ZONE,
                    SHARDS,
                    UPDATE_INTERVAL_MS,
                    ALLOWED_LATENESS_MS,
                    OUT_OF_ORDERNESS_MS,
                    QUIET_PERIOD_MS,
                    MAX_CLOCK_SKEW_MS,
                    RECONCILE_QUIET_MS,
                    RECONCILE_MAX_WAIT_MS,
                    RECONCILE_AFTER_RESTORE_MS);

    static StatsSettings from(SettingValues values) {
        return new StatsSettings(
                zone(values.get(TIME_ZONE)),
                values.positive(SHARDS),
                Duration.ofMillis(values.positiveLong(UPDATE_INTERVAL_MS)),
                Duration.ofMillis(values.nonNegative(ALLOWED_LATENESS_MS)),
                Duration.ofMillis(values.positiveLong(OUT_OF_ORDERNESS_MS)),
                Duration.ofMillis(values.positiveLong(QUIET_PERIOD_MS)),
                values.millis(MAX_CLOCK_SKEW_MS),
                values.millis(RECONCILE_QUIET_MS),
                values.millis(RECONCILE_MAX_WAIT_MS),
                values.millis(RECONCILE_AFTER_RESTORE_MS));
    }

    private static ZoneId zone(String name) {
        try {
            return ZoneId.of(name);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(
                    ConfigKeys.STATS_TIME_ZONE
                            + " must be a time zone such as UTC or Europe/Berlin, got '"
                            + name
                            + "'");
        }
    }
}
