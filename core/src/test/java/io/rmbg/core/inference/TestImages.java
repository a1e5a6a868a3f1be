package io.rmbg.core.inference;

import io.rmbg.core.image.RasterImage;

import java.util.Arrays;

/** Synthetic images for the colour-key model: red is subject, blue is background. */
final class TestImages {
    static final int RED = 0xFFFF0000;
    static final int BLUE = 0xFF0000FF;

    private TestImages() {}

    static RasterImage solid(int width, int height, int argb) {
        int[] pixels = new int[width * height];
        Arrays.fill(pixels, argb);
        return new RasterImage(width, height, pixels, false);
    }

    /** Blue background with a red rectangle covering [x0, x1) x [y0, y1). */
    static RasterImage redRectOnBlue(int width, int height, int x0, int y0, int x1, int y1) {
        int[] pixels = new int[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                boolean inside = x >= x0 && x < x1 && y >= y0 && y < y1;
                pixels[y * width + x] = inside ? RED : BLUE;
            }
        }
        return new RasterImage(width, height, pixels, false);
    }

    /** Left half red, right half blue. */
    static RasterImage redLeftBlueRight(int width, int height) {
        return redRectOnBlue(width, height, 0, 0, width / 2, height);
    }
}
