package io.rmbg.core.fuzz;

import io.rmbg.core.image.ImageFormat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Mutations that know each format's structure, so they reach the size fields decoders allocate
 * from: PNG chunk lengths and types, inserted zTXt/iCCP/iTXt (small bombs or huge declared
 * lengths), JPEG APPn segments, BMP compression (embedded JPEG/PNG) and size fields, GIF frames and
 * extension blocks.
 */
final class StructureMutations {

    private static final String[] PNG_TYPES = {
        "IHDR", "PLTE", "IDAT", "IEND", "tRNS", "zTXt", "iTXt", "iCCP", "tEXt", "sPLT", "abCd"
    };

    /** Inflates to 64 MiB of zeros: far past the metadata limit, yet quick to refuse. */
    private static final byte[] BOMB = deflate(new byte[64 << 20]);

    private StructureMutations() {}

    static byte[] mutate(byte[] b, Random r) {
        ImageFormat format = ImageFormat.sniff(b).orElse(null);
        if (format == null) {
            return b;
        }
        return switch (format) {
            case PNG -> png(b, r);
            case JPEG -> jpeg(b, r);
            case BMP -> bmp(b, r);
            case GIF -> gif(b, r);
            case WEBP -> b;
        };
    }

    private static byte[] png(byte[] b, Random r) {
        List<Integer> chunks = new ArrayList<>();
        for (int pos = 8; pos + 12 <= b.length; ) {
            chunks.add(pos);
            long next = pos + 12L + (ByteBuffer.wrap(b, pos, 4).getInt() & 0xFFFFFFFFL);
            if (next > b.length) {
                break;
            }
            pos = (int) next;
        }
        int at = chunks.get(r.nextInt(chunks.size()));
        switch (r.nextInt(4)) {
            case 0 -> { // a length field: huge, negative, off by a little
                int[] lengths = {Integer.MAX_VALUE, -1, 1 << 30, r.nextInt(64), 0};
                int old = ByteBuffer.wrap(b).getInt(at);
                int value =
                        r.nextBoolean()
                                ? lengths[r.nextInt(lengths.length)]
                                : old + r.nextInt(9) - 4;
                ByteBuffer.wrap(b).putInt(at, value);
                return b;
            }
            case 1 -> { // swap the chunk type
                byte[] type =
                        PNG_TYPES[r.nextInt(PNG_TYPES.length)].getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(type, 0, b, at + 4, 4);
                return b;
            }
            case 2 -> { // compressed metadata that inflates far past the limit
                String type = new String[] {"zTXt", "iCCP", "iTXt"}[r.nextInt(3)];
                byte[] head =
                        type.equals("iTXt")
                                ? new byte[] {'k', 0, 1, 0, 0, 0}
                                : new byte[] {'k', 0, 0};
                return insert(b, afterHeader(b), chunk(type, concat(head, BOMB), true));
            }
            default -> { // a chunk declaring far more than it holds
                byte[] c =
                        chunk(
                                PNG_TYPES[r.nextInt(PNG_TYPES.length)],
                                new byte[r.nextInt(32)],
                                true);
                ByteBuffer.wrap(c).putInt(0, r.nextBoolean() ? Integer.MAX_VALUE : 1_900_000_000);
                return insert(b, at, c);
            }
        }
    }

    private static byte[] jpeg(byte[] b, Random r) {
        ByteArrayOutputStream segments = new ByteArrayOutputStream();
        int count = r.nextBoolean() ? 1 : 1 + r.nextInt(200);
        for (int i = 0; i < count; i++) {
            int marker = r.nextBoolean() ? 0xE2 : 0xE0 + r.nextInt(16);
            int length = r.nextBoolean() ? 0xFFFF : 2 + r.nextInt(64);
            byte[] data = new byte[r.nextInt(3) == 0 ? Math.min(length, 40) : length - 2];
            byte[] icc = "ICC_PROFILE\0".getBytes(StandardCharsets.ISO_8859_1);
            System.arraycopy(icc, 0, data, 0, Math.min(icc.length, data.length));
            if (data.length > 13) {
                data[12] = (byte) (i + 1);
                data[13] = (byte) count;
            }
            segments.writeBytes(
                    new byte[] {(byte) 0xFF, (byte) marker, (byte) (length >>> 8), (byte) length});
            segments.writeBytes(data);
        }
        return insert(b, 2, segments.toByteArray());
    }

    private static byte[] bmp(byte[] b, Random r) {
        if (b.length < 54) {
            return b;
        }
        ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int big = r.nextBoolean() ? 1_900_000_000 : r.nextInt();
        switch (r.nextInt(6)) {
            case 0 -> { // embedded JPEG or PNG with a huge declared size
                le.putInt(30, 4 + r.nextInt(2));
                le.putInt(34, big);
            }
            case 1 -> le.putInt(30, r.nextInt(8)); // any compression
            case 2 -> le.putInt(34, big); // image size (RLE buffers it)
            case 3 -> le.putInt(46, big); // colours used (palette size)
            case 4 ->
                    le.putInt(10, r.nextBoolean() ? big : r.nextInt(b.length + 64)); // pixel offset
            default -> { // another header version, maybe with an embedded or linked profile
                int[] sizes = {12, 40, 52, 56, 64, 108, 124, r.nextInt(300)};
                le.putInt(14, sizes[r.nextInt(sizes.length)]);
                if (b.length >= 14 + 124) {
                    le.putInt(14 + 56, r.nextBoolean() ? 0x4D424544 : 0x4C494E4B);
                    le.putInt(14 + 112, r.nextInt(200));
                    le.putInt(14 + 116, big);
                }
            }
        }
        return b;
    }

    private static byte[] gif(byte[] b, Random r) {
        int flags = b[10] & 0xFF;
        int first = 13 + ((flags & 0x80) != 0 ? 3 << ((flags & 0x07) + 1) : 0);
        if (first >= b.length - 1) {
            return b;
        }
        if (r.nextBoolean()) { // many extension blocks before the first frame
            ByteArrayOutputStream ext = new ByteArrayOutputStream();
            for (int i = 0, n = 1 + r.nextInt(2000); i < n; i++) {
                int size = r.nextInt(256);
                ext.writeBytes(
                        new byte[] {0x21, (byte) (r.nextBoolean() ? 0xFE : 0xFF), (byte) size});
                ext.writeBytes(new byte[size]);
                ext.write(0);
            }
            return insert(b, first, ext.toByteArray());
        }
        // many frames: repeat everything between the header and the trailer
        byte[] frames = Arrays.copyOfRange(b, first, b.length - 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b, 0, b.length - 1);
        for (int i = 0, n = 1 + r.nextInt(3000); i < n; i++) {
            out.writeBytes(frames);
        }
        out.write(0x3B);
        return out.toByteArray();
    }

    /** A 16-bit RGBA PNG with a gradient, rows filtered Sub, Up and None in turn. */
    static byte[] rgba16Png(int w, int h) {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        for (int y = 0; y < h; y++) {
            raw.write(y % 3 == 1 ? 2 : 0);
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 4; c++) {
                    int v = y % 3 == 1 ? 0 : (x * 3000 + y * 500 + c * 9000) & 0xFFFF;
                    raw.write(v >>> 8);
                    raw.write(v);
                }
            }
        }
        byte[] ihdr =
                ByteBuffer.allocate(13)
                        .putInt(w)
                        .putInt(h)
                        .put(new byte[] {16, 6, 0, 0, 0})
                        .array();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        out.writeBytes(chunk("IHDR", ihdr, true));
        out.writeBytes(chunk("IDAT", deflate(raw.toByteArray()), true));
        out.writeBytes(chunk("IEND", new byte[0], true));
        return out.toByteArray();
    }

    private static int afterHeader(byte[] png) {
        return Math.min(33, png.length);
    }

    private static byte[] chunk(String type, byte[] data, boolean crc) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 c = new CRC32();
        c.update(t);
        c.update(data);
        return ByteBuffer.allocate(12 + data.length)
                .putInt(data.length)
                .put(t)
                .put(data)
                .putInt(crc ? (int) c.getValue() : 0)
                .array();
    }

    private static byte[] insert(byte[] b, int at, byte[] what) {
        byte[] out = new byte[b.length + what.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(what, 0, out, at, what.length);
        System.arraycopy(b, at, out, at + what.length, b.length - at);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] deflate(byte[] raw) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        deflater.setInput(raw);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[1 << 16];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        return out.toByteArray();
    }
}
