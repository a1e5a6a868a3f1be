package io.rmbg.local;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** Hostile image fixtures, made from valid images so that each breaks in exactly one way. */
final class BadImages {
    private BadImages() {}

    /** A valid PNG whose IHDR claims {@code width × height}: a decompression bomb by its header. */
    static byte[] pngClaiming(int width, int height) {
        byte[] png = SampleImages.png(8, 8);
        ByteBuffer b = ByteBuffer.wrap(png);
        // signature (8) + length (4) + "IHDR" (4), then width and height; CRC covers type + data.
        b.putInt(16, width);
        b.putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 4 + 13);
        b.putInt(12 + 4 + 13, (int) crc.getValue());
        return png;
    }

    /** The first half of a valid JPEG. */
    static byte[] truncatedJpeg() {
        byte[] jpeg = SampleImages.jpeg(256, 256);
        return Arrays.copyOf(jpeg, jpeg.length / 2);
    }

    /**
     * A 205-byte BMP whose header declares an embedded PNG ({@code compression} 5) or JPEG (4) of
     * {@code declaredBytes}: the JDK reader would allocate that much before reading a byte.
     */
    static byte[] bmpWithEmbedded(int compression, long declaredBytes) {
        int offset = 14 + 40;
        ByteBuffer b = ByteBuffer.allocate(205).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'B').put((byte) 'M').putInt(205).putInt(0).putInt(offset);
        b.putInt(40).putInt(64).putInt(64).putShort((short) 1).putShort((short) 0);
        b.putInt(compression).putInt((int) declaredBytes);
        return b.array();
    }

    /** A valid 8x8 PNG with a zTXt chunk that inflates to {@code inflatedBytes} of zeros. */
    static byte[] pngWithTextBomb(int inflatedBytes) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        deflater.setInput(new byte[inflatedBytes]);
        deflater.finish();
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        text.writeBytes("Comment".getBytes(StandardCharsets.ISO_8859_1));
        text.write(0);
        text.write(0); // compression method: deflate
        byte[] buffer = new byte[1 << 16];
        while (!deflater.finished()) {
            text.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        byte[] png = SampleImages.png(8, 8);
        int afterHeader = 8 + 12 + 13;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, afterHeader);
        writeChunk(out, "zTXt", text.toByteArray());
        out.write(png, afterHeader, png.length - afterHeader);
        return out.toByteArray();
    }

    /**
     * A legal 16-bit RGBA PNG of {@code width x height} whose rows repeat (so it compresses to a
     * few hundred KB): left half subject red, right half background blue. Decoded to 16 bits per
     * sample it would take 8 bytes a pixel.
     */
    static byte[] png16(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height);
        ihdr.put((byte) 16).put((byte) 6).put((byte) 0).put((byte) 0).put((byte) 0);
        writeChunk(out, "IHDR", ihdr.array());
        ByteBuffer row = ByteBuffer.allocate(1 + width * 8);
        row.put((byte) 0);
        for (int x = 0; x < width; x++) {
            java.awt.Color c = x < width / 2 ? SampleImages.SUBJECT : SampleImages.BACKGROUND;
            row.putShort((short) (c.getRed() * 257))
                    .putShort((short) (c.getGreen() * 257))
                    .putShort((short) (c.getBlue() * 257))
                    .putShort((short) 0xFFFF);
        }
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        byte[] buffer = new byte[1 << 16];
        // Every row after the first is filtered "Up": all zeros, since the rows repeat.
        byte[] up = new byte[row.capacity()];
        up[0] = 2;
        for (int y = 0; y < height; y++) {
            deflater.setInput(y == 0 ? row.array() : up);
            while (!deflater.needsInput()) {
                idat.write(buffer, 0, deflater.deflate(buffer));
            }
        }
        deflater.finish();
        while (!deflater.finished()) {
            idat.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        writeChunk(out, "IDAT", idat.toByteArray());
        writeChunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void writeChunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    static byte[] notAnImage() {
        return "%PDF-1.7 this is not an image at all"
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
