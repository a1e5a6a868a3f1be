package io.rmbg.core.image;

import java.util.Arrays;
import java.util.zip.CRC32;

/** A growable byte buffer that writes PNG chunks (length, type, data, CRC). */
final class PngChunkWriter {
    static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    static final int COLOUR_GREY = 0;
    static final int COLOUR_RGB = 2;
    static final int COLOUR_RGBA = 6;

    /** Largest IDAT chunk either writer emits. */
    static final int IDAT_SIZE = 1 << 16;

    private final CRC32 crc = new CRC32();
    private byte[] buf;
    private int size;

    PngChunkWriter(int capacity) {
        buf = new byte[capacity];
    }

    void raw(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
    }

    void chunk(String type, byte[] data, int length) {
        chunk(type, data, 0, length);
    }

    void chunk(String type, byte[] data, int offset, int length) {
        ensure(12 + length);
        putInt(buf, size, length);
        int typeAt = size + 4;
        for (int i = 0; i < 4; i++) {
            buf[typeAt + i] = (byte) type.charAt(i);
        }
        System.arraycopy(data, offset, buf, typeAt + 4, length);
        crc.reset();
        crc.update(buf, typeAt, 4 + length);
        putInt(buf, typeAt + 4 + length, (int) crc.getValue());
        size += 12 + length;
    }

    private void ensure(int extra) {
        if (size + extra > buf.length) {
            long grown = Math.max((long) buf.length * 3 / 2, (long) size + extra);
            buf = Arrays.copyOf(buf, (int) Math.min(grown, Integer.MAX_VALUE - 8));
        }
    }

    byte[] toByteArray() {
        return size == buf.length ? buf : Arrays.copyOf(buf, size);
    }

    static byte[] header(int width, int height, int colourType) {
        byte[] ihdr = new byte[13];
        putInt(ihdr, 0, width);
        putInt(ihdr, 4, height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = (byte) colourType;
        // compression 0, filter method 0, interlace none: already zero
        return ihdr;
    }

    static void putInt(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }
}
