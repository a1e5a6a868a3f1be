package io.rmbg.job.config;

import org.apache.flink.configuration.ConfigOption;

import java.io.Serializable;
import java.util.List;

import static org.apache.flink.configuration.ConfigOptions.key;

/** {@code jdbc.*}: the PostgreSQL database the sinks write and how they batch. */
public record JdbcSettings(
        String url,
        String user,
        String password,
        int batchSize,
        long batchIntervalMs,
        int maxRetries)
        implements Serializable {

    public static final ConfigOption<String> URL =
            key(ConfigKeys.JDBC_URL)
                    .stringType()
                    .defaultValue("jdbc:postgresql://localhost:5432/rmbg");
    public static final ConfigOption<String> USER =
            key(ConfigKeys.JDBC_USER).stringType().defaultValue("rmbg");
    public static final ConfigOption<String> PASSWORD =
            key(ConfigKeys.JDBC_PASSWORD).stringType().defaultValue("rmbg");
    public static final ConfigOption<Integer> BATCH_SIZE =
            key(ConfigKeys.JDBC_BATCH_SIZE).intType().defaultValue(100);
    public static final ConfigOption<Long> BATCH_INTERVAL_MS =
            key(ConfigKeys.JDBC_BATCH_INTERVAL_MS).longType().defaultValue(200L);
    public static final ConfigOption<Integer> MAX_RETRIES =
            key(ConfigKeys.JDBC_MAX_RETRIES).intType().defaultValue(5);

    static final List<ConfigOption<?>> OPTIONS =
            List.of(URL, USER, PASSWORD, BATCH_SIZE, BATCH_INTERVAL_MS, MAX_RETRIES);

    static JdbcSettings from(SettingValues values) {
        return new JdbcSettings(
                values.get(URL),
                values.get(USER),
                values.get(PASSWORD),
                values.positive(BATCH_SIZE),
                values.get(BATCH_INTERVAL_MS),
                values.get(MAX_RETRIES));
    }

    @Override
    public String toString() {
        return "JdbcSettings{" + url + ", user " + user + ", batches of " + batchSize + "}";
    }
}
