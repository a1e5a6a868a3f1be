package io.rmbg.core.event;

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

    /**
     * {@link #clip} that also replaces unpaired UTF-16 surrogates (which JSON escapes such as
     * {@code "\\ud800"} can produce) with U+FFFD, so the text always encodes as valid UTF-8.
     */
    public static String storable(String s, int maxChars) {
        String clipped = clip(s, maxChars);
        if (clipped == null) {
            return null;
        }
        StringBuilder out = null;
        for (int i = 0; i < clipped.length(); i++) {
            char c = clipped.charAt(i);
            boolean paired =
                    Character.isHighSurrogate(c)
                            ? i + 1 < clipped.length()
                                    && Character.isLowSurrogate(clipped.charAt(i + 1))
                            : !Character.isLowSurrogate(c)
                                    || (i > 0 && Character.isHighSurrogate(clipped.charAt(i - 1)));
            if (!paired && out == null) {
                out = new StringBuilder(clipped.length()).append(clipped, 0, i);
            }
            if (out != null) {
                out.append(paired ? c : '\uFFFD');
            }
        }
        return out == null ? clipped : out.toString();
    }

    /** A user value quoted for an error message, cut short so messages stay readable. */
    public static String quote(String s) {
        return "'" + clip(s, 80) + (length(s) > 80 ? "…'" : "'");
    }
}
