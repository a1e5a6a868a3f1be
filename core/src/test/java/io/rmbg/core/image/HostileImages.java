package io.rmbg.core.image;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * Builds images whose headers or metadata declare far more than they hold, and 16-bit PNGs with
 * chosen filters, as bytes in code: the hostile cases need no binary fixtures.
 */
final class HostileImages {

    static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private HostileImages() {}

    /**
     * A zlib stream of {@code size} zero bytes, about a thousandth of that long: the 1 MiB deflate
     * block of zeros repeats byte for byte once its window is all zeros, so it is built by copying
     * rather than compressing {@code size} bytes.
     */
    static byte[] zerosBomb(long size) {
        int chunk = 1 << 20;
        if (size % chunk != 0) {
            throw new IllegalArgumentException("size must be a multiple of 1 MiB");
        }
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        byte[] zeros = new byte[chunk];
        byte[] first = flush(deflater, zeros);
        byte[] repeat = flush(deflater, zeros);
        if (!Arrays.equals(repeat, flush(deflater, zeros))) {
            throw new IllegalStateException("deflate blocks of zeros do not repeat");
        }
        deflater.finish();
        byte[] tail = new byte[64];
        int tailLength = deflater.deflate(tail);
        deflater.end();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x78);
        out.write(0xDA);
        out.writeBytes(first);
        for (long i = 1; i < size / chunk; i++) {
            out.writeBytes(repeat);
        }
        out.write(tail, 0, tailLength);
        // Adler-32 of n zeros: a stays 1, b adds 1 per byte.
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) (((size % 65521) << 16) | 1)).array());
        return out.toByteArray();
    }

    private static byte[] flush(Deflater deflater, byte[] input) {
        deflater.setInput(input);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        do {
            n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
            out.write(buffer, 0, n);
        } while (n == buffer.length);
        return out.toByteArray();
    }

    /** A PNG from an IHDR and chunks given as alternating type and data. */
    static byte[] png(int width, int height, int depth, int colourType, Object... chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(PNG_SIGNATURE);
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height);
        ihdr.put((byte) depth).put((byte) colourType).put((byte) 0).put((byte) 0).put((byte) 0);
        TestImages.writeChunk(out, "IHDR", ihdr.array());
        for (int i = 0; i < chunks.length; i += 2) {
            TestImages.writeChunk(out, (String) chunks[i], (byte[]) chunks[i + 1]);
        }
        TestImages.writeChunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    static byte[] deflate(byte[] raw) {
        Deflater deflater = new Deflater();
        deflater.setInput(raw);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        return out.toByteArray();
    }

    /** A keyword, NUL and compression method 0, then {@code stream}: zTXt and iCCP data. */
    static byte[] keyed(String keyword, byte[] stream) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(keyword.getBytes(StandardCharsets.ISO_8859_1));
        out.write(0);
        out.write(0);
        out.writeBytes(stream);
        return out.toByteArray();
    }

    /** iTXt data: keyword, flag, method, empty language and translated keyword, text. */
    static byte[] internationalText(String keyword, boolean compressed, byte[] text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(keyword.getBytes(StandardCharsets.ISO_8859_1));
        out.write(0);
        out.write(compressed ? 1 : 0);
        out.write(0);
        out.write(0);
        out.write(0);
        out.writeBytes(text);
        return out.toByteArray();
    }

    /** Inserts {@code chunk} right after IHDR, where metadata chunks sit. */
    static byte[] withChunkAfterHeader(byte[] png, String type, byte[] data) {
        int at = 8 + 12 + 13;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, at);
        TestImages.writeChunk(out, type, data);
        out.write(png, at, png.length - at);
        return out.toByteArray();
    }

    /**
     * A 54-byte-header BMP of {@code width x height} at 24 bits with {@code compression} and {@code
     * imageSize} as declared, and {@code payload} bytes after the header.
     */
    static byte[] bmp(int headerSize, int compression, long imageSize, int payload) {
        int offset = 14 + headerSize;
        ByteBuffer b = ByteBuffer.allocate(offset + payload).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'B').put((byte) 'M').putInt(offset + payload).putInt(0).putInt(offset);
        b.putInt(headerSize).putInt(4).putInt(4).putShort((short) 1).putShort((short) 24);
        b.putInt(compression).putInt((int) imageSize);
        return b.array();
    }

    static void putIntLe(byte[] b, int at, int value) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
    }
}
