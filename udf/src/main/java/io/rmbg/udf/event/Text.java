package io.rmbg.udf.event;

/** Makes untrusted text safe to store: PostgreSQL text cannot hold NUL, columns have lengths. */
public final class Text {
    private Text() {}

    /** Counts Unicode code points, which is what a PostgreSQL {@code VARCHAR(n)} limits. */
    public static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    public static boolean hasNul(String s) {
        return s.indexOf('\0') >= 0;
    }

    /** Drops NUL characters and cuts to at most {@code maxChars} code points. */
    public static String clip(String s, int maxChars) {
        if (s == null) {
            return null;
        }
        String clean = hasNul(s) ? s.replace("\0", "") : s;
        if (length(clean) <= maxChars) {
            return clean;
        }
        return clean.substring(0, clean.offsetByCodePoints(0, maxChars));
    }

    /** A user value quoted for an error message, cut short so messages stay readable. */
    public static String quote(String s) {
        return "'" + clip(s, 80) + (length(s) > 80 ? "…'" : "'");
    }
}
