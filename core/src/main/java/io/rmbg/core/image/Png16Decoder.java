package io.rmbg.core.image;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;

import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decodes a non-interlaced 16-bit PNG (grey, RGB, grey+alpha, RGBA) row by row straight into 8-bit
 * ARGB. The JDK reader first builds a 16-bit raster of the whole image (8 bytes a pixel for RGBA:
 * 392 MB at 49 MP, from a legal 381 KB file); here only two rows exist besides the output.
 *
 * <p>Pixels match {@link RasterConverter} on the JDK's raster: samples scaled with rounding, grey
 * repeated into red, green and blue, and a tRNS colour (grey or RGB) made fully transparent, as the
 * JDK reader does.
 */
final class Png16Decoder {

    private static final int GREY = 0;
    private static final int RGB = 2;
    private static final int GREY_ALPHA = 4;

    private Png16Decoder() {}

    /** Whether this decoder takes the image; others go to the JDK reader. */
    static boolean accepts(PngChunks png) {
        return png.bitDepth() == 16 && !png.interlaced() && png.colourType() != 3;
    }

    static RasterImage decode(byte[] b, PngChunks png) throws ProcessingException {
        int w = png.width();
        int h = png.height();
        int channels = PngChunks.samples(png.colourType());
        int bpp = channels * 2;
        long rowBytes = (long) w * bpp;
        if (rowBytes + 1 > Integer.MAX_VALUE - 8 || (long) w * h > Integer.MAX_VALUE - 8) {
            throw new ProcessingException(
                    ErrorCode.IMAGE_TOO_LARGE,
                    "the PNG is " + w + "x" + h + ", too large for one image in memory");
        }
        int[] key = transparentKey(png, channels);
        boolean alpha = png.colourType() >= GREY_ALPHA || key != null;
        // Byte 0 holds the row's filter type; sample bytes follow. prev starts as the zero row.
        byte[] prev = new byte[(int) rowBytes + 1];
        byte[] cur = new byte[(int) rowBytes + 1];
        int[] out = new int[w * h];
        IdatStream in = new IdatStream(b, png.firstIdat());
        try {
            for (int y = 0; y < h; y++) {
                in.readFully(cur);
                unfilter(cur, prev, bpp);
                toArgb(cur, out, y * w, w, png.colourType(), key);
                byte[] t = prev;
                prev = cur;
                cur = t;
            }
        } finally {
            in.close();
        }
        return new RasterImage(w, h, out, alpha);
    }

    /** The 16-bit samples tRNS marks transparent (1 grey or 3 RGB), or null. */
    private static int[] transparentKey(PngChunks png, int channels) {
        byte[] t = png.transparency();
        int type = png.colourType();
        if (t == null || (type != GREY && type != RGB) || t.length < channels * 2) {
            return null;
        }
        int[] key = new int[channels];
        for (int c = 0; c < channels; c++) {
            key[c] = ((t[2 * c] & 0xFF) << 8) | (t[2 * c + 1] & 0xFF);
        }
        return key;
    }

    private static void unfilter(byte[] cur, byte[] prev, int bpp) throws ProcessingException {
        int n = cur.length;
        switch (cur[0]) {
            case 0 -> {}
            case 1 -> {
                for (int i = 1 + bpp; i < n; i++) {
                    cur[i] += cur[i - bpp];
                }
            }
            case 2 -> {
                for (int i = 1; i < n; i++) {
                    cur[i] += prev[i];
                }
            }
            case 3 -> {
                for (int i = 1; i < n; i++) {
                    int left = i > bpp ? cur[i - bpp] & 0xFF : 0;
                    cur[i] += (byte) ((left + (prev[i] & 0xFF)) >>> 1);
                }
            }
            case 4 -> {
                for (int i = 1; i < n; i++) {
                    int a = i > bpp ? cur[i - bpp] & 0xFF : 0;
                    int up = prev[i] & 0xFF;
                    int c = i > bpp ? prev[i - bpp] & 0xFF : 0;
                    cur[i] += (byte) paeth(a, up, c);
                }
            }
            default ->
                    throw new ProcessingException(
                            ErrorCode.IMAGE_DECODE,
                            "the PNG data is corrupt: a row has filter type " + (cur[0] & 0xFF));
        }
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        if (pa <= pb && pa <= pc) {
            return a;
        }
        return pb <= pc ? b : c;
    }

    private static void toArgb(byte[] row, int[] out, int o, int w, int type, int[] key) {
        for (int x = 0, p = 1; x < w; x++) {
            int r;
            int g;
            int bl;
            int a = 0xFF;
            if (type == GREY || type == GREY_ALPHA) {
                int grey = u16(row, p);
                r = g = bl = to8(grey);
                if (type == GREY_ALPHA) {
                    a = to8(u16(row, p + 2));
                    p += 4;
                } else {
                    if (key != null && grey == key[0]) {
                        a = 0;
                    }
                    p += 2;
                }
            } else {
                int r16 = u16(row, p);
                int g16 = u16(row, p + 2);
                int b16 = u16(row, p + 4);
                r = to8(r16);
                g = to8(g16);
                bl = to8(b16);
                if (type == RGB) {
                    if (key != null && r16 == key[0] && g16 == key[1] && b16 == key[2]) {
                        a = 0;
                    }
                    p += 6;
                } else {
                    a = to8(u16(row, p + 6));
                    p += 8;
                }
            }
            out[o + x] = (a << 24) | (r << 16) | (g << 8) | bl;
        }
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    /** As {@link RasterConverter}: 0xFFFF maps to 255 and mid-tones do not drift darker. */
    private static int to8(int sample) {
        return (sample * 255 + 32767) / 65535;
    }

    /** The zlib stream spread over consecutive IDAT chunks, inflated on demand. */
    private static final class IdatStream {
        private final byte[] b;
        private final Inflater inflater = new Inflater();
        private int next;

        IdatStream(byte[] b, int firstIdat) {
            this.b = b;
            this.next = firstIdat;
        }

        void readFully(byte[] dst) throws ProcessingException {
            int filled = 0;
            try {
                while (filled < dst.length) {
                    int n = inflater.inflate(dst, filled, dst.length - filled);
                    filled += n;
                    if (n > 0) {
                        continue;
                    }
                    if (inflater.finished() || inflater.needsDictionary()) {
                        throw endsEarly();
                    }
                    if (inflater.needsInput() && !feed()) {
                        throw endsEarly();
                    }
                }
            } catch (DataFormatException e) {
                throw new ProcessingException(
                        ErrorCode.IMAGE_DECODE,
                        "the PNG image data is corrupt (" + e.getMessage() + ")",
                        e);
            }
        }

        /** Hands the next IDAT chunk to the inflater; false when the image data has ended. */
        private boolean feed() {
            // PngChunks checked that every chunk fits in the data.
            while (next + 8 <= b.length && "IDAT".equals(PngChunks.type(b, next + 4))) {
                int length = PngChunks.s32be(b, next);
                int data = next + 8;
                next = data + length + 4;
                if (length > 0) {
                    inflater.setInput(b, data, length);
                    return true;
                }
            }
            return false;
        }

        private static ProcessingException endsEarly() {
            return new ProcessingException(
                    ErrorCode.IMAGE_DECODE, "the PNG image data ends early (truncated file?)");
        }

        void close() {
            inflater.end();
        }
    }
}
