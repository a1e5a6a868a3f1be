package io.rmbg.core.image;

/**
 * A decoded image as packed, non-premultiplied ARGB ints in row-major order ({@code argb[y * width
 * + x]}). Images without alpha carry {@code 0xFF} in the alpha byte.
 */
public record RasterImage(int width, int height, int[] argb, boolean hasAlpha) {
    public RasterImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException(
                    "image size must be positive: " + width + "x" + height);
        }
        if (argb.length != width * height) {
            throw new IllegalArgumentException(
                    "pixel array holds " + argb.length + " values, expected " + width * height);
        }
    }

    public long pixels() {
        return (long) width * height;
    }
}
