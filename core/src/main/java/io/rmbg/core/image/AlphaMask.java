package io.rmbg.core.image;

/**
 * An 8-bit greyscale mask in row-major order: {@code 0} is background (transparent), {@code 255} is
 * subject (opaque). Values are unsigned bytes: read them with {@code alpha[i] & 0xFF}.
 */
public record AlphaMask(int width, int height, byte[] alpha) {
    public AlphaMask {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException(
                    "mask size must be positive: " + width + "x" + height);
        }
        if (alpha.length != width * height) {
            throw new IllegalArgumentException(
                    "mask array holds " + alpha.length + " values, expected " + width * height);
        }
    }

    public int at(int x, int y) {
        return alpha[y * width + x] & 0xFF;
    }
}
