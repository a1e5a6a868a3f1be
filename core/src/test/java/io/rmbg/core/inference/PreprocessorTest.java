package io.rmbg.core.inference;

import io.rmbg.core.image.RasterImage;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PreprocessorTest {
    private static final double[] MEAN = {0.485, 0.456, 0.406};
    private static final double[] STD = {0.229, 0.224, 0.225};

    private static ModelProfile profile(int width, int height) {
        return ModelProfile.builder("test").inputSize(width, height).build();
    }

    private static int rgb(int r, int g, int b) {
        return 0xFF000000 | r << 16 | g << 8 | b;
    }

    @Test
    void upscalesTwoByTwoToFourByFourAsComputedByHand() {
        // R: 0 255 / 100 20. Source positions of output 0..3 are -0.25 (clamped), 0.25, 0.75, 1.25
        // (clamped to the last pixel), so rows and columns blend with weights 0, .25, .75, 0.
        RasterImage image =
                new RasterImage(
                        2,
                        2,
                        new int[] {
                            rgb(0, 10, 200), rgb(255, 30, 100), rgb(100, 50, 0), rgb(20, 70, 255)
                        },
                        false);
        double[][] expectedRed = {
            {0, 63.75, 191.25, 255},
            {25, 67.8125, 153.4375, 196.25},
            {75, 75.9375, 77.8125, 78.75},
            {100, 80, 40, 20},
        };
        // G: 10 30 / 50 70 is a plane, so bilinear reproduces it exactly.
        double[][] expectedGreen = {
            {10, 15, 25, 30},
            {20, 25, 35, 40},
            {40, 45, 55, 60},
            {50, 55, 65, 70},
        };
        FloatBuffer dst = FloatBuffer.allocate(3 * 16);

        new Preprocessor(profile(4, 4)).pack(image, dst, 0);

        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                assertThat(dst.get(y * 4 + x))
                        .as("R at %d,%d", x, y)
                        .isCloseTo(normalised(expectedRed[y][x], 0), within(1e-6f));
                assertThat(dst.get(16 + y * 4 + x))
                        .as("G at %d,%d", x, y)
                        .isCloseTo(normalised(expectedGreen[y][x], 1), within(1e-6f));
            }
        }
        // B corners come straight from the source pixels.
        assertThat(dst.get(32)).isCloseTo(normalised(200, 2), within(1e-6f));
        assertThat(dst.get(32 + 3)).isCloseTo(normalised(100, 2), within(1e-6f));
        assertThat(dst.get(32 + 12)).isCloseTo(normalised(0, 2), within(1e-6f));
        assertThat(dst.get(32 + 15)).isCloseTo(normalised(255, 2), within(1e-6f));
        // (1, 1): top 200 + (100-200)*.25 = 175, bottom 0 + 255*.25 = 63.75, 175 + (63.75-175)*.25
        assertThat(dst.get(32 + 5)).isCloseTo(normalised(147.1875, 2), within(1e-6f));
    }

    @Test
    void keepsPixelsWhenTheSizeMatches() {
        RasterImage image =
                new RasterImage(
                        3,
                        2,
                        new int[] {
                            rgb(1, 2, 3),
                            rgb(4, 5, 6),
                            rgb(7, 8, 9),
                            rgb(10, 11, 12),
                            rgb(13, 14, 15),
                            rgb(255, 0, 128)
                        },
                        false);
        FloatBuffer dst = FloatBuffer.allocate(18);

        new Preprocessor(profile(3, 2)).pack(image, dst, 0);

        for (int i = 0; i < 6; i++) {
            int p = image.argb()[i];
            assertThat(dst.get(i)).isCloseTo(normalised(p >> 16 & 0xFF, 0), within(1e-6f));
            assertThat(dst.get(6 + i)).isCloseTo(normalised(p >> 8 & 0xFF, 1), within(1e-6f));
            assertThat(dst.get(12 + i)).isCloseTo(normalised(p & 0xFF, 2), within(1e-6f));
        }
    }

    @Test
    void matchesAReferenceBilinearForArbitrarySizes() {
        SplittableRandom random = new SplittableRandom(7);
        Preprocessor preprocessor = new Preprocessor(profile(13, 9));
        FloatBuffer dst = FloatBuffer.allocate(3 * 13 * 9);
        for (int[] size : new int[][] {{40, 30}, {5, 7}, {13, 9}, {1, 1}, {40, 30}}) {
            int w = size[0];
            int h = size[1];
            int[] pixels = new int[w * h];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = 0xFF000000 | random.nextInt(1 << 24);
            }
            RasterImage image = new RasterImage(w, h, pixels, false);
            FloatBuffer fixed = FloatBuffer.allocate(3 * 13 * 9);
            preprocessor.packFloat(image, dst, 0);
            preprocessor.pack(image, fixed, 0);

            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 9; y++) {
                    for (int x = 0; x < 13; x++) {
                        double expected = normalised(reference(pixels, w, h, 13, 9, x, y, c), c);
                        assertThat(dst.get(c * 117 + y * 13 + x))
                                .as("float path, %dx%d c%d at %d,%d", w, h, c, x, y)
                                .isCloseTo((float) expected, within(1e-5f));
                        assertThat(fixed.get(c * 117 + y * 13 + x))
                                .as("integer path, %dx%d c%d at %d,%d", w, h, c, x, y)
                                .isCloseTo(
                                        (float) expected, within((float) Preprocessor.TOLERANCE));
                    }
                }
            }
        }
    }

    @Test
    void theIntegerPathStaysWithinItsToleranceOfTheFloatPath() {
        // odd ratios (weights that 14 bits round) and the benchmark's 1080p (weights exact)
        ModelProfile model = profile(64, 48);
        int[][] sizes = {{333, 101}, {61, 97}, {64, 48}, {7, 300}};
        SplittableRandom random = new SplittableRandom(11);
        for (int[] size : sizes) {
            RasterImage image = noise(size[0], size[1], random);

            double diff = maxDiff(new Preprocessor(model), image);

            assertThat(diff).as("%dx%d", size[0], size[1]).isLessThan(Preprocessor.TOLERANCE);
        }
        RasterImage photo = noise(1920, 1080, random);
        assertThat(maxDiff(new Preprocessor(ModelProfile.RMBG_2_0), photo))
                .as("1920x1080 to 1024x1024")
                .isLessThan(1e-6);
    }

    private static RasterImage noise(int w, int h, SplittableRandom random) {
        int[] pixels = new int[w * h];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = 0xFF000000 | random.nextInt(1 << 24);
        }
        return new RasterImage(w, h, pixels, false);
    }

    /** Largest |pack - packFloat| over the item. */
    private static double maxDiff(Preprocessor preprocessor, RasterImage image) {
        FloatBuffer floats = FloatBuffer.allocate(preprocessor.floatsPerImage());
        FloatBuffer fixed = FloatBuffer.allocate(preprocessor.floatsPerImage());
        preprocessor.packFloat(image, floats, 0);
        preprocessor.pack(image, fixed, 0);
        double max = 0;
        for (int i = 0; i < floats.limit(); i++) {
            max = Math.max(max, Math.abs(floats.get(i) - fixed.get(i)));
        }
        return max;
    }

    @Test
    void writesBatchItemsAtTheirOffsetAndIgnoresAlpha() {
        Preprocessor preprocessor = new Preprocessor(profile(2, 2));
        FloatBuffer dst = FloatBuffer.allocate(3 * 3 * 4);
        RasterImage translucentWhite = TestImages.solid(3, 3, 0x00FFFFFF);

        preprocessor.pack(translucentWhite, dst, 2);

        assertThat(dst.position()).isZero();
        for (int i = 0; i < 24; i++) {
            assertThat(dst.get(i)).isZero();
        }
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 4; i++) {
                assertThat(dst.get(24 + c * 4 + i)).isCloseTo(normalised(255, c), within(1e-6f));
            }
        }
    }

    @Test
    void rejectsABufferTooSmallForTheBatchItem() {
        Preprocessor preprocessor = new Preprocessor(profile(2, 2));
        FloatBuffer dst = FloatBuffer.allocate(24);

        assertThatThrownBy(() -> preprocessor.pack(TestImages.solid(2, 2, TestImages.RED), dst, 2))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(preprocessor.floatsPerImage()).isEqualTo(12);
    }

    @Test
    void appliesTheProfilesNormalisation() {
        ModelProfile half =
                ModelProfile.builder("half")
                        .inputSize(1)
                        .mean(0.5f, 0.5f, 0.5f)
                        .std(1f, 1f, 1f)
                        .build();
        FloatBuffer dst = FloatBuffer.allocate(3);

        new Preprocessor(half).pack(TestImages.solid(1, 1, rgb(255, 0, 51)), dst, 0);

        assertThat(dst.get(0)).isCloseTo(0.5f, within(1e-6f));
        assertThat(dst.get(1)).isCloseTo(-0.5f, within(1e-6f));
        assertThat(dst.get(2)).isCloseTo(-0.3f, within(1e-6f));
    }

    /** Straightforward double-precision bilinear, align_corners=False, for comparison. */
    private static double reference(
            int[] pixels, int w, int h, int dw, int dh, int x, int y, int channel) {
        double sx = Math.max((x + 0.5) * w / dw - 0.5, 0);
        double sy = Math.max((y + 0.5) * h / dh - 0.5, 0);
        int x0 = Math.min((int) Math.floor(sx), w - 1);
        int y0 = Math.min((int) Math.floor(sy), h - 1);
        int x1 = Math.min(x0 + 1, w - 1);
        int y1 = Math.min(y0 + 1, h - 1);
        double fx = sx - x0;
        double fy = sy - y0;
        int shift = 16 - 8 * channel;
        double v00 = pixels[y0 * w + x0] >> shift & 0xFF;
        double v01 = pixels[y0 * w + x1] >> shift & 0xFF;
        double v10 = pixels[y1 * w + x0] >> shift & 0xFF;
        double v11 = pixels[y1 * w + x1] >> shift & 0xFF;
        return (1 - fy) * ((1 - fx) * v00 + fx * v01) + fy * ((1 - fx) * v10 + fx * v11);
    }

    private static float normalised(double value, int channel) {
        return (float) ((value / 255.0 - MEAN[channel]) / STD[channel]);
    }
}
