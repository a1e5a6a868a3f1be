package io.rmbg.core.image;

import java.util.Optional;

/**
 * The image formats the job accepts. Detection looks only at magic bytes: a file's name, URI or
 * declared content type is untrusted and often wrong.
 *
 * <pre>{@code
 * ImageFormat format = ImageFormat.sniff(bytes).orElseThrow();
 * String key = "original/" + sha256 + "." + format.extension();
 * }</pre>
 */
public enum ImageFormat {
    JPEG("jpg", "image/jpeg"),
    PNG("png", "image/png"),
    WEBP("webp", "image/webp"),
    BMP("bmp", "image/bmp"),
    GIF("gif", "image/gif");

    private static final byte[] JPEG_SOI = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF};
    private static final byte[] PNG_SIGNATURE = {
        (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'
    };
    private static final byte[] GIF87A = {'G', 'I', 'F', '8', '7', 'a'};
    private static final byte[] GIF89A = {'G', 'I', 'F', '8', '9', 'a'};
    private static final byte[] RIFF = {'R', 'I', 'F', 'F'};
    private static final byte[] WEBP_FORM = {'W', 'E', 'B', 'P'};
    private static final byte[] BMP_MAGIC = {'B', 'M'};

    private final String extension;
    private final String contentType;

    ImageFormat(String extension, String contentType) {
        this.extension = extension;
        this.contentType = contentType;
    }

    /** File name extension without the dot, used for blob keys. */
    public String extension() {
        return extension;
    }

    /** MIME type, used as the stored blob's Content-Type. */
    public String contentType() {
        return contentType;
    }

    /**
     * The format whose signature {@code bytes} starts with, or empty when none matches (including
     * {@code null} and arrays too short to hold a signature).
     */
    public static Optional<ImageFormat> sniff(byte[] bytes) {
        if (bytes == null) {
            return Optional.empty();
        }
        if (startsWith(bytes, 0, JPEG_SOI)) {
            return Optional.of(JPEG);
        }
        if (startsWith(bytes, 0, PNG_SIGNATURE)) {
            return Optional.of(PNG);
        }
        if (startsWith(bytes, 0, GIF87A) || startsWith(bytes, 0, GIF89A)) {
            return Optional.of(GIF);
        }
        if (startsWith(bytes, 0, RIFF) && startsWith(bytes, 8, WEBP_FORM)) {
            return Optional.of(WEBP);
        }
        // "BM" alone is a weak signature (2 bytes); it is checked last so it can never shadow
        // another.
        if (startsWith(bytes, 0, BMP_MAGIC)) {
            return Optional.of(BMP);
        }
        return Optional.empty();
    }

    private static boolean startsWith(byte[] bytes, int offset, byte[] prefix) {
        if (bytes.length < offset + prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[offset + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
