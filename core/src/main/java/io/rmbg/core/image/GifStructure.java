package io.rmbg.core.image;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;

/**
 * Bounds the extension blocks before a GIF's first frame. Only that frame is decoded, and the JDK
 * reader reads no further, but it collects comment and application blocks on the way into memory; a
 * file of nothing but extensions must not become a long walk building metadata objects.
 */
final class GifStructure {

    /** Extension blocks before the first frame; real files have a handful (loop, XMP, comment). */
    static final int MAX_EXTENSIONS = 1024;

    /** Their bytes together: XMP packets and comments stay far below. */
    static final long MAX_EXTENSION_BYTES = 4L << 20;

    private GifStructure() {}

    /**
     * @throws ProcessingException {@code UNSUPPORTED_FORMAT} when the blocks before the first frame
     *     exceed the limits. Truncated or malformed data passes: the reader reports it.
     */
    static void check(byte[] b) throws ProcessingException {
        if (b.length < 13) {
            return;
        }
        int pos = 13;
        int flags = b[10] & 0xFF;
        if ((flags & 0x80) != 0) {
            pos += 3 << ((flags & 0x07) + 1); // global colour table
        }
        int extensions = 0;
        long bytes = 0;
        while (pos + 1 < b.length && (b[pos] & 0xFF) == 0x21) {
            if (++extensions > MAX_EXTENSIONS) {
                throw tooMuch("over " + MAX_EXTENSIONS + " extension blocks");
            }
            int start = pos;
            pos += 2; // introducer and label, then data sub-blocks up to a zero length
            while (pos < b.length && b[pos] != 0) {
                pos += (b[pos] & 0xFF) + 1;
            }
            pos++;
            bytes += pos - start;
            if (bytes > MAX_EXTENSION_BYTES) {
                throw tooMuch("over " + (MAX_EXTENSION_BYTES >> 20) + " MiB of extension blocks");
            }
        }
    }

    private static ProcessingException tooMuch(String what) {
        return new ProcessingException(
                ErrorCode.UNSUPPORTED_FORMAT,
                "the GIF has "
                        + what
                        + " before its first frame; re-save it without comments and metadata");
    }
}
