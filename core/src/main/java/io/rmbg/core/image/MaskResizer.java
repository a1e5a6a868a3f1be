package io.rmbg.core.image;

import java.util.OptionalDouble;

/**
 * Turns the model's probability map (at model resolution, e.g. 1024x1024) into an {@link AlphaMask}
 * at the original image's size. Interpolation is bilinear with pixel centres aligned, the same
 * sampling as OpenCV's {@code INTER_LINEAR} and PIL's bilinear upscale, so masks match the
 * reference Python pipelines.
 *
 * <pre>{@code
 * AlphaMask soft = MaskResizer.toMask(probs, 1024, 1024, 1920, 1080, OptionalDouble.empty());
 * AlphaMask hard = MaskResizer.toMask(probs, 1024, 1024, 1920, 1080, OptionalDouble.of(0.5));
 * }</pre>
 */
public final class MaskResizer {

    private MaskResizer() {}

    /**
     * @param probabilities row-major, {@code srcWidth * srcHeight} values; values outside [0, 1]
     *     (and NaN, as 0) are clamped
     * @param threshold when present, pixels with probability {@code >= threshold} become 255 and
     *     the rest 0; when empty, alpha is {@code round(p * 255)}
     */
    public static AlphaMask toMask(
            float[] probabilities,
            int srcWidth,
            int srcHeight,
            int dstWidth,
            int dstHeight,
            OptionalDouble threshold) {
        if (srcWidth <= 0 || srcHeight <= 0 || dstWidth <= 0 || dstHeight <= 0) {
            throw new IllegalArgumentException(
                    "sizes must be positive: "
                            + srcWidth
                            + "x"
                            + srcHeight
                            + " -> "
                            + dstWidth
                            + "x"
                            + dstHeight);
        }
        if (probabilities.length != srcWidth * srcHeight) {
            throw new IllegalArgumentException(
                    "probabilities hold "
                            + probabilities.length
                            + " values, expected "
                            + srcWidth * srcHeight);
        }
        int[] x0 = new int[dstWidth];
        float[] wx = new float[dstWidth];
        samplePositions(srcWidth, dstWidth, x0, wx);
        int[] x1 = new int[dstWidth];
        for (int x = 0; x < dstWidth; x++) {
            x1[x] = Math.min(x0[x] + 1, srcWidth - 1);
        }
        float[] clamped = new float[srcWidth];
        int[] y0 = new int[dstHeight];
        float[] wy = new float[dstHeight];
        samplePositions(srcHeight, dstHeight, y0, wy);

        boolean binary = threshold.isPresent();
        float cut = binary ? (float) threshold.getAsDouble() : 0f;
        byte[] alpha = new byte[dstWidth * dstHeight];
        // Horizontally resized source rows y0 and y0+1; reused while consecutive output rows
        // share them, which for an upscale is most rows.
        float[] top = new float[dstWidth];
        float[] bottom = new float[dstWidth];
        int topRow = -1;
        int bottomRow = -1;
        for (int y = 0; y < dstHeight; y++) {
            int r0 = y0[y];
            int r1 = Math.min(r0 + 1, srcHeight - 1);
            if (r0 != topRow) {
                if (r0 == bottomRow) { // slide down one source row
                    float[] t = top;
                    top = bottom;
                    bottom = t;
                    bottomRow = -1;
                } else {
                    resizeRow(probabilities, r0 * srcWidth, clamped, x0, x1, wx, top);
                }
                topRow = r0;
            }
            if (r1 != bottomRow) {
                resizeRow(probabilities, r1 * srcWidth, clamped, x0, x1, wx, bottom);
                bottomRow = r1;
            }
            float fy = wy[y];
            int o = y * dstWidth;
            if (binary) {
                for (int x = 0; x < dstWidth; x++) {
                    float p = top[x] + (bottom[x] - top[x]) * fy;
                    alpha[o + x] = (byte) (p >= cut ? 255 : 0);
                }
            } else {
                for (int x = 0; x < dstWidth; x++) {
                    float p = top[x] + (bottom[x] - top[x]) * fy;
                    alpha[o + x] = (byte) (int) (p * 255f + 0.5f);
                }
            }
        }
        return new AlphaMask(dstWidth, dstHeight, alpha);
    }

    /**
     * For each output index: the left/upper source index and the weight of the next one. The centre
     * of output pixel i maps to source position (i + 0.5) * src / dst - 0.5, clamped to the edge
     * pixels (OpenCV's border handling for upscales).
     */
    private static void samplePositions(int src, int dst, int[] index, float[] weight) {
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
            weight[i] = (float) frac;
        }
    }

    /**
     * Resizes source row {@code rowStart} horizontally into {@code out}. The row is clamped into
     * {@code clamped} first: once per source value rather than twice per output value.
     */
    private static void resizeRow(
            float[] src,
            int rowStart,
            float[] clamped,
            int[] x0,
            int[] x1,
            float[] wx,
            float[] out) {
        for (int i = 0; i < clamped.length; i++) {
            clamped[i] = clamp(src[rowStart + i]);
        }
        for (int x = 0; x < out.length; x++) {
            float left = clamped[x0[x]];
            float right = clamped[x1[x]];
            out[x] = left + (right - left) * wx[x];
        }
    }

    /** Into [0, 1]; NaN (a broken model output) counts as background. */
    private static float clamp(float p) {
        return p >= 0f ? Math.min(p, 1f) : 0f;
    }
}
