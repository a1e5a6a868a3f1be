package io.rmbg.core.image;

import org.junit.jupiter.api.Test;

import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class MaskResizerTest {

    private static final OptionalDouble SOFT = OptionalDouble.empty();

    @Test
    void upscalesWithPixelCentreBilinear() {
        // Source centres sit at output positions 0.5 and 2.5 (in output pixels), so output
        // columns 0..3 take 0, 1/4, 3/4 and 1 of the way from left to right (edges clamp).
        float[] ramp = {0f, 1f, 0f, 1f};

        AlphaMask mask = MaskResizer.toMask(ramp, 2, 2, 4, 4, SOFT);

        for (int y = 0; y < 4; y++) {
            assertThat(row(mask, y)).containsExactly(0, 64, 191, 255); // 63.75, 191.25
        }
    }

    @Test
    void interpolatesInBothDirections() {
        float[] diagonal = {0f, 1f, 1f, 0f};

        AlphaMask mask = MaskResizer.toMask(diagonal, 2, 2, 4, 4, SOFT);

        // (1,1): rows blend to 0.25 and 0.75, then 0.75 * 0.25 + 0.25 * 0.75 = 0.375 -> 95.6
        assertThat(row(mask, 0)).containsExactly(0, 64, 191, 255);
        assertThat(row(mask, 1)).containsExactly(64, 96, 159, 191);
        assertThat(row(mask, 2)).containsExactly(191, 159, 96, 64);
        assertThat(row(mask, 3)).containsExactly(255, 191, 64, 0);
    }

    @Test
    void downscalesByAveragingNeighbours() {
        // 4 -> 2: output centres map to source positions 0.5 and 2.5, halfway between pixels.
        float[] columns = {0f, 1f, 0.2f, 0.6f};

        AlphaMask mask = MaskResizer.toMask(columns, 4, 1, 2, 1, SOFT);

        assertThat(row(mask, 0)).containsExactly(128, 102); // 127.5, 102
    }

    @Test
    void sameSizeRoundsToNearest() {
        float[] p = {0f, 0.5f, 0.998f, 1f, 0.0019f, 0.002f};

        AlphaMask mask = MaskResizer.toMask(p, 6, 1, 6, 1, SOFT);

        assertThat(row(mask, 0)).containsExactly(0, 128, 254, 255, 0, 1);
    }

    @Test
    void thresholdBinarisesAfterInterpolation() {
        float[] ramp = {0f, 1f, 0f, 1f};

        AlphaMask mask = MaskResizer.toMask(ramp, 2, 2, 4, 4, OptionalDouble.of(0.75));

        assertThat(row(mask, 2)).containsExactly(0, 0, 255, 255); // 0.75 itself is subject
    }

    @Test
    void clampsOutOfRangeAndNan() {
        float[] wild = {-3f, 7f, Float.NaN, 0.5f};

        AlphaMask mask = MaskResizer.toMask(wild, 4, 1, 4, 1, SOFT);

        assertThat(row(mask, 0)).containsExactly(0, 255, 0, 128);
    }

    @Test
    void rejectsMismatchedSizes() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> MaskResizer.toMask(new float[3], 2, 2, 4, 4, SOFT))
                .withMessageContaining("expected 4");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> MaskResizer.toMask(new float[4], 2, 2, 0, 4, SOFT));
    }

    private static int[] row(AlphaMask mask, int y) {
        int[] out = new int[mask.width()];
        for (int x = 0; x < out.length; x++) {
            out[x] = mask.at(x, y);
        }
        return out;
    }
}
