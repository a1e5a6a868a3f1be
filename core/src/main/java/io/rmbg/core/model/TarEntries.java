package io.rmbg.core.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads a (ustar) tar stream entry by entry: enough for npm tarballs, which hold regular files
 * under {@code package/}. Not a general tar reader: no long-name extensions beyond ustar's prefix
 * field.
 */
final class TarEntries {
    private static final int BLOCK = 512;

    private final InputStream in;
    private long remaining;
    private long padding;

    TarEntries(InputStream in) {
        this.in = in;
    }

    /** A header: its path and size; {@link #content()} reads its bytes until the next call. */
    record Entry(String path, long size, boolean regularFile) {}

    /** The next entry, skipping what is left of the current one; {@code null} at the end. */
    Entry next() throws IOException {
        in.skipNBytes(remaining + padding);
        remaining = 0;
        padding = 0;
        byte[] header = in.readNBytes(BLOCK);
        if (header.length < BLOCK || isZero(header)) {
            return null;
        }
        String name = field(header, 0, 100);
        String prefix = field(header, 345, 155);
        long size =
                Long.parseLong(
                        field(header, 124, 12).trim().isEmpty()
                                ? "0"
                                : field(header, 124, 12).trim(),
                        8);
        byte type = header[156];
        remaining = size;
        padding = (BLOCK - size % BLOCK) % BLOCK;
        return new Entry(
                prefix.isEmpty() ? name : prefix + "/" + name, size, type == '0' || type == 0);
    }

    /** The current entry's bytes, as a stream that ends with the entry. */
    InputStream content() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                if (remaining <= 0) {
                    return -1;
                }
                int b = in.read();
                if (b >= 0) {
                    remaining--;
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (remaining <= 0) {
                    return -1;
                }
                int n = in.read(b, off, (int) Math.min(len, remaining));
                if (n > 0) {
                    remaining -= n;
                }
                return n;
            }
        };
    }

    private static String field(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.US_ASCII);
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
