package io.rmbg.core.blob;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Which {@code s3://bucket/key} sources a user's event may name: a list of {@code bucket/prefix}
 * entries, where a prefix may hold {@code ${user_id}}. The job reads sources with its own
 * credentials, so without this list any user could have it read (and return the cut-out of)
 * anything those credentials reach: another user's uploads, other buckets, checkpoints.
 *
 * <pre>{@code
 * SourcePolicy p = SourcePolicy.parse("rmbg/uploads/${user_id}/, shared-assets/public/");
 * p.allows("rmbg", "uploads/u1/cat.jpg", "u1"); // true
 * p.allows("rmbg", "uploads/u1/cat.jpg", "u2"); // false
 * }</pre>
 *
 * <p>What must stay true: matching is a literal {@code startsWith} on the key after substitution,
 * and a user id can only stand for one whole path segment. Each {@code ${user_id}} must be followed
 * by {@code /}, and user ids that could span or escape a segment ({@code /}, {@code \}, {@code .},
 * {@code ..}, control characters) match no entry that holds the placeholder; so {@code u} never
 * reaches {@code uploads/u2/} or {@code uploads/u/../}. Keys with {@code .}/{@code ..} segments are
 * refused earlier, by the event parser.
 */
public final class SourcePolicy implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The placeholder for the event's user id. */
    public static final String USER_ID = "${user_id}";

    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9]");

    private final List<Entry> entries;

    private SourcePolicy(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Reads comma-separated {@code bucket/prefix} entries; {@code bucket} or {@code bucket/} alone
     * allows the whole bucket. Blank: no {@code image_uri} is allowed (inline images only).
     *
     * @throws IllegalArgumentException naming the entry and what is wrong with it
     */
    public static SourcePolicy parse(String spec) {
        requireNonNull(spec, "source.allowed cannot be null");
        List<Entry> entries = new ArrayList<>();
        for (String raw : spec.split(",")) {
            String entry = raw.trim();
            if (!entry.isEmpty()) {
                entries.add(Entry.parse(entry));
            }
        }
        return new SourcePolicy(entries);
    }

    public List<Entry> entries() {
        return entries;
    }

    /** Whether {@code userId}'s event may name {@code s3://bucket/key}. */
    public boolean allows(String bucket, String key, String userId) {
        for (Entry e : entries) {
            String prefix = e.prefixFor(userId);
            if (prefix != null && e.bucket.equals(bucket) && key.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** The {@code s3://bucket/prefix} locations {@code userId} may read, for error messages. */
    public List<String> locationsFor(String userId) {
        List<String> out = new ArrayList<>();
        for (Entry e : entries) {
            String prefix = e.prefixFor(userId);
            if (prefix != null) {
                out.add("s3://" + e.bucket + "/" + prefix);
            }
        }
        return out;
    }

    /** Whether some entry has no location for {@code userId} because of its id's characters. */
    public boolean excludesUser(String userId) {
        return entries.stream().anyMatch(e -> e.prefixFor(userId) == null);
    }

    /**
     * Whether a user id can stand for one path segment: not empty, not {@code .} or {@code ..},
     * without {@code /}, {@code \} or control characters.
     */
    static boolean isSegmentSafe(String userId) {
        if (userId == null || userId.isEmpty() || userId.equals(".") || userId.equals("..")) {
            return false;
        }
        for (int i = 0; i < userId.length(); i++) {
            char c = userId.charAt(i);
            if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return entries.isEmpty()
                ? "<inline images only>"
                : String.join(",", entries.stream().map(Entry::toString).toList());
    }

    /** One {@code bucket/prefix} entry; {@code prefix} may hold {@link #USER_ID}. */
    public record Entry(String bucket, String prefix) implements Serializable {

        static Entry parse(String entry) {
            int slash = entry.indexOf('/');
            String bucket = slash < 0 ? entry : entry.substring(0, slash);
            String prefix = slash < 0 ? "" : entry.substring(slash + 1);
            if (!BUCKET.matcher(bucket).matches()) {
                throw new IllegalArgumentException(
                        "source.allowed entry '"
                                + entry
                                + "' must start with a"
                                + " bucket name (3 to 63 lowercase letters, digits, '.' or '-'), like rmbg/uploads/");
            }
            String rest = prefix.replace(USER_ID, "");
            if (rest.contains("${")) {
                throw new IllegalArgumentException(
                        "source.allowed entry '"
                                + entry
                                + "': the only placeholder"
                                + " is "
                                + USER_ID);
            }
            if (rest.indexOf('\0') >= 0 || rest.indexOf('\\') >= 0) {
                throw new IllegalArgumentException(
                        "source.allowed entry '" + entry + "' must not contain NUL or '\\'");
            }
            String[] segments = prefix.split("/", -1);
            for (int i = 0; i < segments.length; i++) {
                String s = segments[i];
                boolean last = i == segments.length - 1;
                if (s.equals(".") || s.equals("..") || (s.isEmpty() && !last)) {
                    throw new IllegalArgumentException(
                            "source.allowed entry '"
                                    + entry
                                    + "' must not contain"
                                    + " empty, '.' or '..' path segments");
                }
            }
            for (int at = prefix.indexOf(USER_ID); at >= 0; at = prefix.indexOf(USER_ID, at + 1)) {
                int after = at + USER_ID.length();
                if (after >= prefix.length() || prefix.charAt(after) != '/') {
                    // Without the slash, user "a" would reach "uploads/ab/…" too.
                    throw new IllegalArgumentException(
                            "source.allowed entry '"
                                    + entry
                                    + "': "
                                    + USER_ID
                                    + " must be followed by '/', as in "
                                    + bucket
                                    + "/uploads/"
                                    + USER_ID
                                    + "/");
                }
            }
            return new Entry(bucket, prefix);
        }

        /**
         * The literal key prefix for {@code userId}, or {@code null} when its id cannot be used.
         */
        String prefixFor(String userId) {
            if (!prefix.contains(USER_ID)) {
                return prefix;
            }
            return isSegmentSafe(userId) ? prefix.replace(USER_ID, userId) : null;
        }

        /**
         * The part of the prefix before any placeholder: what every user's location starts with.
         */
        public String fixedPrefix() {
            int at = prefix.indexOf(USER_ID);
            return at < 0 ? prefix : prefix.substring(0, at);
        }

        @Override
        public String toString() {
            return bucket + "/" + prefix;
        }
    }
}
