package io.rmbg.local;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;

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

    static byte[] notAnImage() {
        return "%PDF-1.7 this is not an image at all".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
