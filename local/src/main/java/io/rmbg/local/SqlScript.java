package io.rmbg.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Flink SQL script as the SQL client reads it: statements end with {@code ;}, except inside
 * quotes ({@code '…'}, {@code "…"}, {@code `…`}) and comments ({@code --} to the end of the line,
 * {@code /* … *}{@code /}). Line comments are dropped; block comments stay, since Flink's hints
 * ({@code /*+ OPTIONS(…) *}{@code /}) are written as comments. Statement sets ({@code BEGIN … END})
 * are not supported.
 */
final class SqlScript {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_]+)}");

    /** One statement, without its {@code ;}, and the line it starts on (1-based). */
    record Statement(int line, String sql) {
        /** The first line, for messages. */
        String headline() {
            String first = sql.strip().lines().findFirst().orElse("");
            return first.length() > 100 ? first.substring(0, 100) + " …" : first;
        }
    }

    private SqlScript() {}

    static List<Statement> split(String script) {
        List<Statement> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int line = 1;
        int startLine = -1;
        int i = 0;
        int n = script.length();
        while (i < n) {
            char c = script.charAt(i);
            if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
                while (i < n && script.charAt(i) != '\n') {
                    i++;
                }
                continue;
            }
            if (c == '/' && i + 1 < n && script.charAt(i + 1) == '*') {
                int end = script.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                String comment = script.substring(i, end);
                current.append(comment);
                line += count(comment, '\n');
                i = end;
                continue;
            }
            if (c == '\'' || c == '"' || c == '`') {
                int end = closingQuote(script, i, c);
                String quoted = script.substring(i, end);
                if (startLine < 0) {
                    startLine = line;
                }
                current.append(quoted);
                line += count(quoted, '\n');
                i = end;
                continue;
            }
            if (c == ';') {
                add(statements, current, startLine);
                current.setLength(0);
                startLine = -1;
                i++;
                continue;
            }
            if (c == '\n') {
                line++;
            } else if (startLine < 0 && !Character.isWhitespace(c)) {
                startLine = line;
            }
            current.append(c);
            i++;
        }
        add(statements, current, startLine);
        return statements;
    }

    /**
     * Replaces {@code ${NAME}} with its value, doubling single quotes: placeholders stand inside
     * string literals ({@code 'password' = '${JDBC_PASSWORD}'}).
     *
     * @throws IllegalArgumentException naming the line and the known names, for an unknown one
     */
    static String substitute(Statement statement, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(statement.sql());
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                throw new IllegalArgumentException(
                        "line "
                                + statement.line()
                                + ": unknown placeholder ${"
                                + m.group(1)
                                + "}; known: "
                                + values.keySet().stream().map(k -> "${" + k + "}").toList());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value.replace("'", "''")));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Whether any statement uses {@code ${name}}. */
    static boolean uses(List<Statement> statements, String name) {
        String token = "${" + name + "}";
        return statements.stream().anyMatch(s -> s.sql().contains(token));
    }

    private static void add(List<Statement> statements, StringBuilder sql, int startLine) {
        String text = sql.toString().strip();
        // A statement of nothing but block comments is no statement.
        if (!text.replaceAll("(?s)/\\*.*?\\*/", "").isBlank()) {
            statements.add(new Statement(startLine, text));
        }
    }

    /** The index after the closing quote; a doubled quote is an escaped one. */
    private static int closingQuote(String s, int open, char quote) {
        int i = open + 1;
        while (i < s.length()) {
            if (s.charAt(i) == quote) {
                if (i + 1 < s.length() && s.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return s.length();
    }

    private static int count(String s, char c) {
        return (int) s.chars().filter(ch -> ch == c).count();
    }
}
