package io.rmbg.core.process;

import java.io.Serializable;

/**
 * Size limits on source images.
 *
 * @param maxPixels largest width × height decoded, checked from the header before decoding (default
 *     50 megapixels)
 * @param maxSourceBytes largest object read from {@code image_uri} (default 64 MiB)
 * @param maxInlineBytes largest decoded {@code image_base64} (default 8 MiB)
 */
public record ImageLimits(long maxPixels, long maxSourceBytes, long maxInlineBytes)
        implements Serializable {
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;
    public static final long DEFAULT_MAX_SOURCE_BYTES = 64L * 1024 * 1024;
    public static final long DEFAULT_MAX_INLINE_BYTES = 8L * 1024 * 1024;

    public static ImageLimits defaults() {
        return new ImageLimits(
                DEFAULT_MAX_PIXELS, DEFAULT_MAX_SOURCE_BYTES, DEFAULT_MAX_INLINE_BYTES);
    }

    public ImageLimits {
        if (maxPixels <= 0 || maxSourceBytes <= 0 || maxInlineBytes <= 0) {
            throw new IllegalArgumentException("image limits must be positive: " + this);
        }
    }
}
