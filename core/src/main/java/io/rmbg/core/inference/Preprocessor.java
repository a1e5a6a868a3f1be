package io.rmbg.core.inference;

import io.rmbg.core.image.RasterImage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

import static java.util.Objects.requireNonNull;

/**
 * Turns a decoded image into the model's input in one pass: bilinear resize to the profile's input
 * size, scale and normalise each channel, and write planar float RGB (NCHW) straight into the
 * tensor buffer. Fusing the steps avoids a resized intermediate image and any per-pixel allocation;
 * the cost depends on the output size only (tens of milliseconds for 1024² on one core), small next
 * to the model itself.
 *
 * <p>Resampling matches PyTorch {@code interpolate(mode="bilinear", align_corners=False,
 * antialias=False)} (and OpenCV {@code INTER_LINEAR}): destination pixel {@code d} samples source
 * coordinate {@code (d + 0.5) * src / dst - 0.5}, clamped to the image. There is no antialiasing
 * filter, so strong downscales alias a little; the segmentation models tolerate that and it keeps
 * the cost independent of the source size.
 *
 * <p>Each channel value {@code c} in 0..255 becomes {@code (c * scale - mean) / std}. Alpha is
 * ignored: transparent pixels contribute their stored RGB.
 *
 * <p>Not thread-safe: it caches the sampling tables of the last source size and reuses row buffers.
 * Use one per model session.
 */
public final class Preprocessor {
    private final int width;
    private final int height;
    private final float[] gain = new float[3];
    private final float[] offset = new float[3];
    private final float[] rowR;
    private final float[] rowG;
    private final float[] rowB;
    private final SourceRow top;
    private final SourceRow bottom;
    private final SourceRow fixedTop;
    private final SourceRow fixedBottom;

    private Axis columns;
    private Axis rows;

    public Preprocessor(ModelProfile profile) {
        requireNonNull(profile, "profile cannot be null");
        this.width = profile.inputWidth();
        this.height = profile.inputHeight();
        for (int c = 0; c < 3; c++) {
            // (v * scale - mean) / std == v * (scale / std) - mean / std
            gain[c] = profile.scale() / profile.std(c);
            offset[c] = -profile.mean(c) / profile.std(c);
        }
        this.rowR = new float[width];
        this.rowG = new float[width];
        this.rowB = new float[width];
        this.top = new FloatRow(width);
        this.bottom = new FloatRow(width);
        this.fixedTop = new FixedRow(width);
        this.fixedBottom = new FixedRow(width);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Floats one image occupies in the tensor: {@code 3 * width * height}. */
    public int floatsPerImage() {
        return 3 * width * height;
    }

    /**
     * A direct, native-order buffer for {@code images} images, which ONNX Runtime reads without a
     * copy: {@code images * floatsPerImage()} floats, 12 MiB per image at 1024².
     *
     * @throws IllegalArgumentException if {@code images < 1} or the buffer would exceed 2 GB
     */
    public FloatBuffer newBuffer(int images) {
        if (images < 1) {
            throw new IllegalArgumentException("images must be positive: " + images);
        }
        long floats = (long) images * floatsPerImage();
        if (floats * Float.BYTES > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "a batch of " + images + " images exceeds 2 GB of input");
        }
        return ByteBuffer.allocateDirect((int) floats * Float.BYTES)
                .order(ByteOrder.nativeOrder())
                .asFloatBuffer();
    }

    /**
     * Writes {@code image} as batch item {@code batchIndex} of an NCHW float tensor: the R plane at
     * float {@code batchIndex * floatsPerImage()}, then G, then B. Uses absolute writes, so the
     * buffer's position is left alone; the item must lie below its limit.
     *
     * <p>Horizontal resampling runs in integer arithmetic: weights with {@value #WEIGHT_BITS}
     * fraction bits, red and blue side by side in one {@code long}, so a source pixel pair is
     * blended with two multiplications for three channels; the sums are exact as floats, and the
     * vertical blend is {@link #packFloat}'s. A value differs from {@code packFloat}'s by less than
     * {@value #TOLERANCE} (the weights' rounding: under 0.01 of a grey level, times {@code scale /
     * std}; PreprocessorTest checks it), and for 1920x1080 to 1024² the weights are exact and so
     * are the values.
     */
    public void pack(RasterImage image, FloatBuffer dst, int batchIndex) {
        packFixedRows(image, dst, batchIndex, fixedTop, fixedBottom, 1f / (1 << WEIGHT_BITS));
    }

    /** Largest difference of a {@link #pack} value from {@link #packFloat}'s (normalised units). */
    public static final double TOLERANCE = 5e-4;

    /** Fraction bits of {@link #pack}'s horizontal sampling weights. */
    static final int WEIGHT_BITS = 14;

    /**
     * As {@link #pack}, resampling in float arithmetic throughout: the reference {@code pack} is
     * held to, and the benchmark's old path. Its rows are of another class than {@code pack}'s, so
     * the JIT profiles and compiles the two paths apart and neither slows the other.
     */
    public void packFloat(RasterImage image, FloatBuffer dst, int batchIndex) {
        packFloatRows(image, dst, batchIndex, top, bottom, 1f);
    }

    /**
     * Both paths: {@code first} and {@code second} are the path's two row buffers, holding channel
     * values times {@code unit}'s inverse.
     */
    private void packFloatRows(
            RasterImage image,
            FloatBuffer dst,
            int batchIndex,
            SourceRow first,
            SourceRow second,
            float unit) {
        requireNonNull(image, "image cannot be null");
        requireNonNull(dst, "dst cannot be null");
        int plane = width * height;
        long base = (long) batchIndex * floatsPerImage();
        if (batchIndex < 0 || base + 3L * plane > dst.limit()) {
            throw new IndexOutOfBoundsException(
                    "batch item "
                            + batchIndex
                            + " needs floats up to "
                            + (base + 3L * plane)
                            + " but the buffer's limit is "
                            + dst.limit());
        }
        Axis xs = columns(image.width());
        Axis ys = rows(image.height());
        int[] argb = image.argb();
        int srcWidth = image.width();
        int outR = (int) base;
        int outG = outR + plane;
        int outB = outG + plane;

        float gainR = gain[0] * unit;
        float gainG = gain[1] * unit;
        float gainB = gain[2] * unit;
        float offsetR = offset[0];
        float offsetG = offset[1];
        float offsetB = offset[2];
        float[] r = rowR;
        float[] g = rowG;
        float[] b = rowB;
        // Separable: each source row the output needs is resampled horizontally once, into top or
        // bottom, and kept while consecutive output rows share it (for 1080 -> 1024 rows, each
        // output row needs one new source row). Then one vertical blend per output value. The
        // arithmetic is that of a direct bilinear blend, in the same order, so values are equal.
        SourceRow top = first;
        SourceRow bottom = second;
        top.y = -1;
        bottom.y = -1;
        for (int dy = 0; dy < height; dy++) {
            int y0 = ys.lo[dy];
            int y1 = ys.hi[dy];
            if (top.y != y0) {
                if (bottom.y == y0) { // slide down one source row
                    SourceRow t = top;
                    top = bottom;
                    bottom = t;
                    bottom.y = -1;
                } else {
                    top.resample(argb, y0, srcWidth, xs);
                }
            }
            if (bottom.y != y1) {
                bottom.resample(argb, y1, srcWidth, xs);
            }
            float wy = ys.weight[dy];
            float[] tr = top.r;
            float[] tg = top.g;
            float[] tb = top.b;
            float[] br = bottom.r;
            float[] bg = bottom.g;
            float[] bb = bottom.b;
            for (int dx = 0; dx < width; dx++) {
                r[dx] = (tr[dx] + (br[dx] - tr[dx]) * wy) * gainR + offsetR;
                g[dx] = (tg[dx] + (bg[dx] - tg[dx]) * wy) * gainG + offsetG;
                b[dx] = (tb[dx] + (bb[dx] - tb[dx]) * wy) * gainB + offsetB;
            }
            int rowOffset = dy * width;
            dst.put(outR + rowOffset, r);
            dst.put(outG + rowOffset, g);
            dst.put(outB + rowOffset, b);
        }
    }

    private void packFixedRows(
            RasterImage image,
            FloatBuffer dst,
            int batchIndex,
            SourceRow first,
            SourceRow second,
            float unit) {
        requireNonNull(image, "image cannot be null");
        requireNonNull(dst, "dst cannot be null");
        int plane = width * height;
        long base = (long) batchIndex * floatsPerImage();
        if (batchIndex < 0 || base + 3L * plane > dst.limit()) {
            throw new IndexOutOfBoundsException(
                    "batch item "
                            + batchIndex
                            + " needs floats up to "
                            + (base + 3L * plane)
                            + " but the buffer's limit is "
                            + dst.limit());
        }
        Axis xs = columns(image.width());
        Axis ys = rows(image.height());
        int[] argb = image.argb();
        int srcWidth = image.width();
        int outR = (int) base;
        int outG = outR + plane;
        int outB = outG + plane;

        float gainR = gain[0] * unit;
        float gainG = gain[1] * unit;
        float gainB = gain[2] * unit;
        float offsetR = offset[0];
        float offsetG = offset[1];
        float offsetB = offset[2];
        float[] r = rowR;
        float[] g = rowG;
        float[] b = rowB;
        // Separable: each source row the output needs is resampled horizontally once, into top or
        // bottom, and kept while consecutive output rows share it (for 1080 -> 1024 rows, each
        // output row needs one new source row). Then one vertical blend per output value. The
        // arithmetic is that of a direct bilinear blend, in the same order, so values are equal.
        SourceRow top = first;
        SourceRow bottom = second;
        top.y = -1;
        bottom.y = -1;
        for (int dy = 0; dy < height; dy++) {
            int y0 = ys.lo[dy];
            int y1 = ys.hi[dy];
            if (top.y != y0) {
                if (bottom.y == y0) { // slide down one source row
                    SourceRow t = top;
                    top = bottom;
                    bottom = t;
                    bottom.y = -1;
                } else {
                    top.resample(argb, y0, srcWidth, xs);
                }
            }
            if (bottom.y != y1) {
                bottom.resample(argb, y1, srcWidth, xs);
            }
            float wy = ys.weight[dy];
            float[] tr = top.r;
            float[] tg = top.g;
            float[] tb = top.b;
            float[] br = bottom.r;
            float[] bg = bottom.g;
            float[] bb = bottom.b;
            for (int dx = 0; dx < width; dx++) {
                r[dx] = (tr[dx] + (br[dx] - tr[dx]) * wy) * gainR + offsetR;
                g[dx] = (tg[dx] + (bg[dx] - tg[dx]) * wy) * gainG + offsetG;
                b[dx] = (tb[dx] + (bb[dx] - tb[dx]) * wy) * gainB + offsetB;
            }
            int rowOffset = dy * width;
            dst.put(outR + rowOffset, r);
            dst.put(outG + rowOffset, g);
            dst.put(outB + rowOffset, b);
        }
    }

    /** One source row resampled to the output width, per channel. */
    private abstract static class SourceRow {
        final float[] r;
        final float[] g;
        final float[] b;

        /** Which source row this holds; -1 for none. */
        int y = -1;

        SourceRow(int width) {
            r = new float[width];
            g = new float[width];
            b = new float[width];
        }

        abstract void resample(int[] argb, int sourceRow, int sourceWidth, Axis xs);
    }

    /** {@link #packFloat}'s rows: floats 0..255. */
    private static final class FloatRow extends SourceRow {
        FloatRow(int width) {
            super(width);
        }

        @Override
        void resample(int[] argb, int sourceRow, int sourceWidth, Axis xs) {
            int row = sourceRow * sourceWidth;
            int[] lo = xs.lo;
            int[] hi = xs.hi;
            float[] weight = xs.weight;
            for (int dx = 0; dx < r.length; dx++) {
                int p0 = argb[row + lo[dx]];
                int p1 = argb[row + hi[dx]];
                float w = weight[dx];
                int r0 = p0 >> 16 & 0xFF;
                int g0 = p0 >> 8 & 0xFF;
                int b0 = p0 & 0xFF;
                r[dx] = r0 + ((p1 >> 16 & 0xFF) - r0) * w;
                g[dx] = g0 + ((p1 >> 8 & 0xFF) - g0) * w;
                b[dx] = b0 + ((p1 & 0xFF) - b0) * w;
            }
            y = sourceRow;
        }
    }

    /**
     * {@link #pack}'s rows: values times 2^WEIGHT_BITS, at most 255 << 14, below 2^24, so exact as
     * floats. Red and blue share one 64-bit multiplication per source pixel, in 32-bit lanes that
     * never carry into each other.
     */
    private static final class FixedRow extends SourceRow {
        FixedRow(int width) {
            super(width);
        }

        @Override
        void resample(int[] argb, int sourceRow, int sourceWidth, Axis xs) {
            int row = sourceRow * sourceWidth;
            int[] lo = xs.lo;
            int[] hi = xs.hi;
            int[] weight = xs.fixedWeight;
            int one = 1 << WEIGHT_BITS;
            for (int dx = 0; dx < r.length; dx++) {
                int p0 = argb[row + lo[dx]];
                int p1 = argb[row + hi[dx]];
                int w1 = weight[dx];
                int w0 = one - w1;
                long rb =
                        ((long) (p0 & 0xFF0000) << 16 | (p0 & 0xFF)) * w0
                                + ((long) (p1 & 0xFF0000) << 16 | (p1 & 0xFF)) * w1;
                r[dx] = (int) (rb >>> 32);
                g[dx] = (p0 >> 8 & 0xFF) * w0 + (p1 >> 8 & 0xFF) * w1;
                b[dx] = (int) rb;
            }
            y = sourceRow;
        }
    }

    private Axis columns(int sourceWidth) {
        if (columns == null || columns.sourceSize != sourceWidth) {
            columns = new Axis(sourceWidth, width);
        }
        return columns;
    }

    private Axis rows(int sourceHeight) {
        if (rows == null || rows.sourceSize != sourceHeight) {
            rows = new Axis(sourceHeight, height);
        }
        return rows;
    }

    /**
     * Sampling table for one axis: destination index {@code d} blends source {@code lo[d]} and
     * {@code hi[d]} as {@code lo + (hi - lo) * weight[d]}.
     */
    static final class Axis {
        final int sourceSize;
        final int[] lo;
        final int[] hi;
        final float[] weight;

        /** {@code weight} with WEIGHT_BITS fraction bits, rounded. */
        final int[] fixedWeight;

        Axis(int sourceSize, int destinationSize) {
            this.sourceSize = sourceSize;
            this.lo = new int[destinationSize];
            this.hi = new int[destinationSize];
            this.weight = new float[destinationSize];
            this.fixedWeight = new int[destinationSize];
            double scale = (double) sourceSize / destinationSize;
            for (int d = 0; d < destinationSize; d++) {
                double s = Math.max((d + 0.5) * scale - 0.5, 0.0);
                int i0 = Math.min((int) s, sourceSize - 1);
                lo[d] = i0;
                hi[d] = Math.min(i0 + 1, sourceSize - 1);
                weight[d] = hi[d] == i0 ? 0f : (float) (s - i0);
                fixedWeight[d] = Math.round(weight[d] * (1 << WEIGHT_BITS));
            }
        }
    }
}
