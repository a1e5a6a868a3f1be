package io.rmbg.local;

import org.apache.flink.table.api.TableConfig;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code SET 'key' = 'value'} statements, which Flink's SQL client understands but {@code
 * TableEnvironment.executeSql} does not. The scripts carry them so that they run unchanged in
 * {@code sql-client.sh}; here they go to the table config.
 */
final class SqlSettings {
    private static final Pattern SET =
            Pattern.compile("(?is)^SET\\s+'((?:[^']|'')*)'\\s*=\\s*'((?:[^']|'')*)'$");
    private static final String RUNTIME_MODE = "execution.runtime-mode";

    private SqlSettings() {}

    static boolean isSet(String statement) {
        return statement.regionMatches(true, 0, "SET", 0, 3)
                && (statement.length() == 3 || Character.isWhitespace(statement.charAt(3)));
    }

    static void apply(String statement, TableConfig config) {
        Matcher m = SET.matcher(statement.strip());
        if (!m.matches()) {
            throw new SqlRunException("write settings as SET 'key' = 'value'");
        }
        String key = m.group(1).replace("''", "'").strip();
        String value = m.group(2).replace("''", "'").strip();
        if (key.startsWith("sql-client.")) {
            return; // how the SQL client displays results: this runner prints its own tables
        }
        if (key.equals(RUNTIME_MODE)) {
            if (!value.toLowerCase(Locale.ROOT).equals("batch")) {
                throw new SqlRunException(
                        "bin/rmbg sql runs scripts in batch mode (their sources are bounded);"
                                + " remove SET '"
                                + RUNTIME_MODE
                                + "' = '"
                                + value
                                + "'");
            }
            return; // the environment is created in batch mode
        }
        config.set(key, value);
    }
}
