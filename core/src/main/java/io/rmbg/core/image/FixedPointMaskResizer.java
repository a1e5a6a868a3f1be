package io.rmbg.core.image;

import java.util.Arrays;
import java.util.OptionalDouble;

/**
 * {@link MaskResizer}'s soft mask in integer arithmetic, the path jobs use: the same bilinear
 * sampling (pixel centres aligned, edges clamped), with probabilities held as grey levels with 6
 * fraction bits and weights with 11, so each output differs from {@link MaskResizer#toMask}'s float
 * result by at most one grey level (the error is below 0.2 of a level, so only values that sit near
 * a rounding edge move; checked by FixedPointMaskResizerTest). A thresholded (hard) mask compares
 * probabilities exactly, so it is left to {@link MaskResizer}.
 *
 * <pre>{@code
 * AlphaMask soft = FixedPointMaskResizer.toMask(probs, 1024, 1024, 1920, 1080, OptionalDouble.empty());
 * }</pre>
 */
public final class FixedPointMaskResizer {
    /** Fraction bits of a sampling weight. */
    static final int WEIGHT_BITS = 11;

    private static final int ONE = 1 << WEIGHT_BITS;

    /** Grey levels are held times 64: 0..16320 for 0..255. */
    private static final int LEVEL_BITS = 6;

    private static final float TO_LEVELS = 255f * (1 << LEVEL_BITS);

    private FixedPointMaskResizer() {}

    /** As {@link MaskResizer#toMask}, with the tolerance of the class comment for soft masks. */
    public static AlphaMask toMask(
            float[] probabilities,
            int srcWidth,
            int srcHeight,
            int dstWidth,
            int dstHeight,
            OptionalDouble threshold) {
        if (threshold.isPresent()
                || srcWidth <= 0
                || srcHeight <= 0
                || dstWidth <= 0
                || dstHeight <= 0
                || probabilities.length != srcWidth * srcHeight) {
            // hard masks, and the errors for bad arguments, as MaskResizer has them
            return MaskResizer.toMask(
                    probabilities, srcWidth, srcHeight, dstWidth, dstHeight, threshold);
        }
        int[] x0 = new int[dstWidth];
        int[] wx = new int[dstWidth];
        samplePositions(srcWidth, dstWidth, x0, wx);
        int[] y0 = new int[dstHeight];
        int[] wy = new int[dstHeight];
        samplePositions(srcHeight, dstHeight, y0, wy);

        byte[] alpha = new byte[dstWidth * dstHeight];
        // Vertical first, at the source width, then horizontal straight into the output row: one
        // gather per output value and no output-sized intermediate row. Source rows y0 and y0+1,
        // clamped to levels, are kept while consecutive output rows share them.
        Levels top = new Levels(srcWidth);
        Levels bottom = new Levels(srcWidth);
        int[] blended = new int[srcWidth + 1]; // one more: the right edge's (unused) neighbour
        for (int y = 0; y < dstHeight; y++) {
            int r0 = y0[y];
            int r1 = Math.min(r0 + 1, srcHeight - 1);
            if (top.row != r0) {
                if (bottom.row == r0) { // slide down one source row
                    Levels t = top;
                    top = bottom;
                    bottom = t;
                } else {
                    top.load(probabilities, r0, srcWidth);
                }
            }
            if (bottom.row != r1) {
                bottom.load(probabilities, r1, srcWidth);
            }
            int o = y * dstWidth;
            if (top.max == 0 && bottom.max == 0) {
                continue; // background only: the row stays 0
            }
            if (top.min == FULL && bottom.min == FULL) {
                Arrays.fill(alpha, o, o + dstWidth, (byte) 255);
                continue;
            }
            int w = wy[y];
            int[] t = top.level;
            int[] b = bottom.level;
            int half = ONE / 2;
            for (int i = 0; i < srcWidth; i++) {
                blended[i] = (t[i] * ONE + (b[i] - t[i]) * w + half) >> WEIGHT_BITS;
            }
            blended[srcWidth] = blended[srcWidth - 1];
            int round = 1 << (WEIGHT_BITS + LEVEL_BITS - 1);
            for (int x = 0; x < dstWidth; x++) {
                int i = x0[x];
                int v = blended[i];
                alpha[o + x] =
                        (byte)
                                ((v * ONE + (blended[i + 1] - v) * wx[x] + round)
                                        >> (WEIGHT_BITS + LEVEL_BITS));
            }
        }
        return new AlphaMask(dstWidth, dstHeight, alpha);
    }

    /** Level 255. */
    private static final int FULL = 255 << LEVEL_BITS;

    /** One source row clamped to levels, and its extremes. */
    private static final class Levels {
        final int[] level;
        int row = -1;
        int min;
        int max;

        Levels(int width) {
            level = new int[width];
        }

        void load(float[] src, int sourceRow, int width) {
            int from = sourceRow * width;
            int lo = FULL;
            int hi = 0;
            for (int i = 0; i < width; i++) {
                float p = src[from + i];
                // into [0, 1], NaN (a broken model output) as 0, as MaskResizer does
                int v = (int) ((p >= 0f ? Math.min(p, 1f) : 0f) * TO_LEVELS + 0.5f);
                level[i] = v;
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            min = lo;
            max = hi;
            row = sourceRow;
        }
    }

    /** As MaskResizer's: source position {@code (i + 0.5) * src / dst - 0.5}, clamped. */
    private static void samplePositions(int src, int dst, int[] index, int[] weight) {
        double scale = (double) src / dst;
        for (int i = 0; i < dst; i++) {
            double pos = (i + 0.5) * scale - 0.5;
            int lo = (int) Math.floor(pos);
            double frac = pos - lo;
            if (lo < 0) {
                lo = 0;
                frac = 0;
            } else if (lo >= src - 1) {
                lo = src - 1;
                frac = 0;
            }
            index[i] = lo;
            weight[i] = (int) Math.round(frac * ONE);
        }
    }
}
