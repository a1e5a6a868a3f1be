package io.rmbg.local;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The rows of one query of a script, as Flink returned them: {@code DATE} as {@link
 * java.time.LocalDate}, {@code TIMESTAMP} as {@link LocalDateTime}, {@code DECIMAL} as {@link
 * java.math.BigDecimal}, {@code BIGINT} as {@link Long}, {@code NULL} as {@code null}.
 *
 * @param line the line of the script the query starts on
 * @param statement the query as run (placeholders substituted)
 */
public record SqlResult(int line, String statement, List<String> columns, List<List<Object>> rows) {
    private static final DateTimeFormatter SECONDS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    public SqlResult {
        columns = List.copyOf(columns);
        rows = rows.stream().map(r -> Collections.unmodifiableList(new ArrayList<>(r))).toList();
    }

    /**
     * An aligned text table in the style of Flink's SQL client ("tableau"): numbers right-aligned,
     * text left-aligned, {@code <NULL>} for NULL, then the row count.
     */
    public String format() {
        int width = columns.size();
        List<List<String>> cells =
                rows.stream().map(r -> r.stream().map(SqlResult::text).toList()).toList();
        int[] widths = new int[width];
        boolean[] right = new boolean[width];
        for (int c = 0; c < width; c++) {
            widths[c] = length(columns.get(c));
            right[c] = true;
            for (int r = 0; r < rows.size(); r++) {
                widths[c] = Math.max(widths[c], length(cells.get(r).get(c)));
                Object v = rows.get(r).get(c);
                right[c] &= v == null || v instanceof Number;
            }
        }
        StringBuilder out = new StringBuilder();
        String border = border(widths);
        out.append(border);
        line(out, columns, widths, right);
        out.append(border);
        if (rows.isEmpty()) {
            return out.append("Empty set\n").toString();
        }
        cells.forEach(row -> line(out, row, widths, right));
        out.append(border);
        return out.append(rows.size())
                .append(rows.size() == 1 ? " row in set\n" : " rows in set\n")
                .toString();
    }

    static String text(Object value) {
        if (value == null) {
            return "<NULL>";
        }
        if (value instanceof LocalDateTime t) {
            return timestamp(t);
        }
        if (value instanceof Instant t) {
            return timestamp(LocalDateTime.ofInstant(t, ZoneOffset.UTC)) + "Z";
        }
        if (value instanceof LocalTime t) {
            return t.toString();
        }
        if (value instanceof Object[] array) {
            return java.util.Arrays.deepToString(array);
        }
        return value.toString();
    }

    /** Seconds always, a fraction only when there is one (as many digits as it needs). */
    private static String timestamp(LocalDateTime t) {
        String text = SECONDS.format(t);
        if (t.getNano() == 0) {
            return text;
        }
        String fraction = String.format("%09d", t.getNano()).replaceAll("0+$", "");
        return text + "." + fraction;
    }

    /** Characters as a terminal counts them (user ids can be any Unicode). */
    private static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    private static String border(int[] widths) {
        StringBuilder b = new StringBuilder("+");
        for (int w : widths) {
            b.append("-".repeat(w + 2)).append('+');
        }
        return b.append('\n').toString();
    }

    private static void line(
            StringBuilder out, List<String> values, int[] widths, boolean[] right) {
        out.append('|');
        for (int c = 0; c < widths.length; c++) {
            String v = values.get(c);
            String pad = " ".repeat(widths[c] - length(v));
            out.append(' ').append(right[c] ? pad + v : v + pad).append(" |");
        }
        out.append('\n');
    }
}
