package io.rmbg.core.image;

import org.junit.jupiter.api.Test;

import java.util.OptionalDouble;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The integer mask resize against the float one ({@link MaskResizer}), the reference: at most one
 * grey level apart, and rarely that.
 */
class FixedPointMaskResizerTest {

    private static final OptionalDouble SOFT = OptionalDouble.empty();

    @Test
    void modelSizedMasksToPhotoSizesStayWithinOneGreyLevel() {
        // up and down, by odd factors, with soft edges, flat areas and out-of-range values
        int[][] sizes = {{1024, 1024, 1920, 1080}, {320, 320, 333, 1000}, {64, 48, 50, 31}};
        for (int[] s : sizes) {
            float[] probs = modelLike(s[0], s[1], s[0] * 31L + s[2]);

            Diff d = diff(probs, s[0], s[1], s[2], s[3]);

            assertThat(d.max)
                    .as("largest difference, %s", java.util.Arrays.toString(s))
                    .isLessThanOrEqualTo(1);
            assertThat(d.share).as("share of pixels that differ").isLessThan(0.01);
        }
    }

    @Test
    void uniformRowsAreFilledWithoutInterpolation() {
        // rows of 0 and of 1 take the shortcut; the row between blends them
        float[] probs = new float[8 * 4];
        java.util.Arrays.fill(probs, 16, 32, 1f);
        probs[12] = 0.5f;

        AlphaMask fixed = FixedPointMaskResizer.toMask(probs, 8, 4, 16, 8, SOFT);

        assertThat(fixed.alpha()).isEqualTo(MaskResizer.toMask(probs, 8, 4, 16, 8, SOFT).alpha());
        assertThat(fixed.alpha()[0]).isZero();
        assertThat(fixed.alpha()[16 * 8 - 1]).isEqualTo((byte) 255);
    }

    @Test
    void brokenValuesAreClampedAsTheFloatPathDoes() {
        float[] wild = {Float.NaN, -3f, 7f, 0.5f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};

        assertThat(FixedPointMaskResizer.toMask(wild, 6, 1, 6, 1, SOFT).alpha())
                .isEqualTo(MaskResizer.toMask(wild, 6, 1, 6, 1, SOFT).alpha());
    }

    @Test
    void hardMasksAreTheFloatPathsExactly() {
        float[] probs = modelLike(40, 30, 9);
        OptionalDouble half = OptionalDouble.of(0.5);

        assertThat(FixedPointMaskResizer.toMask(probs, 40, 30, 77, 51, half).alpha())
                .isEqualTo(MaskResizer.toMask(probs, 40, 30, 77, 51, half).alpha());
    }

    @Test
    void badSizesAreRefusedAsByTheFloatPath() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> FixedPointMaskResizer.toMask(new float[3], 2, 2, 4, 4, SOFT))
                .withMessageContaining("expected 4");
    }

    private record Diff(int max, double share) {}

    private static Diff diff(float[] probs, int sw, int sh, int dw, int dh) {
        byte[] reference = MaskResizer.toMask(probs, sw, sh, dw, dh, SOFT).alpha();
        byte[] fixed = FixedPointMaskResizer.toMask(probs, sw, sh, dw, dh, SOFT).alpha();
        int max = 0;
        int differing = 0;
        for (int i = 0; i < fixed.length; i++) {
            int d = Math.abs((fixed[i] & 0xFF) - (reference[i] & 0xFF));
            max = Math.max(max, d);
            differing += d == 0 ? 0 : 1;
        }
        return new Diff(max, (double) differing / fixed.length);
    }

    /** An ellipse of ~1 with a soft rim, ~0 around it, a few noisy and out-of-range values. */
    private static float[] modelLike(int w, int h, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] p = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double dx = (x - w / 2.0) / (w / 3.0);
                double dy = (y - h / 2.0) / (h / 2.5);
                double r = Math.sqrt(dx * dx + dy * dy);
                double v = 1 / (1 + Math.exp((r - 1) * 12)) + (random.nextDouble() - 0.5) * 0.02;
                p[y * w + x] =
                        random.nextInt(500) == 0
                                ? (float) (random.nextDouble() * 3 - 1)
                                : (float) v;
            }
        }
        return p;
    }
}
