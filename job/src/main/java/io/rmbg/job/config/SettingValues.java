package io.rmbg.job.config;

import org.apache.flink.configuration.ConfigOption;

import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every setting's text, defaults filled in, read as typed values: an option's default says its type
 * ({@code Integer}, {@code Long}, {@code Boolean} or {@code String}). Messages name the key and the
 * value that is wrong.
 */
final class SettingValues implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Map<String, String> values;

    SettingValues(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    /** All settings by key, sorted; {@code kafka.properties.*} included. */
    Map<String, String> asMap() {
        return values;
    }

    /** The text as given (not trimmed). */
    String text(String key) {
        String value = values.get(key);
        if (value == null) {
            throw new IllegalArgumentException("no setting named '" + key + "'");
        }
        return value;
    }

    <T> T get(ConfigOption<T> option) {
        String key = option.key();
        Object type = option.defaultValue();
        Object value;
        if (type instanceof Integer) {
            value = toInt(key);
        } else if (type instanceof Long) {
            value = toLong(key);
        } else if (type instanceof Boolean) {
            value = toBoolean(key);
        } else {
            value = text(key);
        }
        @SuppressWarnings("unchecked") // the option's default has the option's type
        T typed = (T) value;
        return typed;
    }

    int positive(ConfigOption<Integer> option) {
        int value = get(option);
        if (value <= 0) {
            throw new IllegalArgumentException(option.key() + " must be positive, got " + value);
        }
        return value;
    }

    long positiveLong(ConfigOption<Long> option) {
        long value = get(option);
        if (value <= 0) {
            throw new IllegalArgumentException(option.key() + " must be positive, got " + value);
        }
        return value;
    }

    long nonNegative(ConfigOption<Long> option) {
        long value = get(option);
        if (value < 0) {
            throw new IllegalArgumentException(option.key() + " cannot be negative, got " + value);
        }
        return value;
    }

    /** A {@code *-ms} setting as a duration. */
    Duration millis(ConfigOption<Long> option) {
        return Duration.ofMillis(get(option));
    }

    private long toLong(String key) {
        try {
            return Long.parseLong(text(key).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    key + " must be a whole number, got '" + text(key) + "'");
        }
    }

    private int toInt(String key) {
        long value = toLong(key);
        if (value != (int) value) {
            throw new IllegalArgumentException(
                    key + " must be a whole number below 2^31, got '" + text(key) + "'");
        }
        return (int) value;
    }

    /** A setting whose option is text (blank has a meaning of its own) read as a boolean. */
    boolean booleanOf(String key) {
        return toBoolean(key);
    }

    private boolean toBoolean(String key) {
        String v = text(key).trim().toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(
                    key + " must be true or false, got '" + text(key) + "'");
        }
        return Boolean.parseBoolean(v);
    }
}
