package io.rmbg.core.compose;

/**
 * 3x3 erosion and dilation of a 0/1 mask, done separably (a row pass, then a column pass), so each
 * costs two reads per pixel instead of nine. Pixels beyond the border repeat the edge, so a subject
 * touching the frame is not eaten away at the edge.
 */
final class BinaryMorphology {

    private BinaryMorphology() {}

    static void erode(byte[] src, byte[] dst, byte[] tmp, int w, int h) {
        apply(src, dst, tmp, w, h, true);
    }

    static void dilate(byte[] src, byte[] dst, byte[] tmp, int w, int h) {
        apply(src, dst, tmp, w, h, false);
    }

    /** Erosion is the minimum over the 3x3 neighbourhood, dilation the maximum. */
    private static void apply(byte[] src, byte[] dst, byte[] tmp, int w, int h, boolean min) {
        for (int y = 0; y < h; y++) {
            int row = y * w;
            for (int x = 0; x < w; x++) {
                int l = src[row + Math.max(x - 1, 0)];
                int c = src[row + x];
                int r = src[row + Math.min(x + 1, w - 1)];
                tmp[row + x] = (byte) (min ? l & c & r : l | c | r);
            }
        }
        for (int y = 0; y < h; y++) {
            int up = Math.max(y - 1, 0) * w;
            int row = y * w;
            int down = Math.min(y + 1, h - 1) * w;
            for (int x = 0; x < w; x++) {
                int u = tmp[up + x];
                int c = tmp[row + x];
                int d = tmp[down + x];
                dst[row + x] = (byte) (min ? u & c & d : u | c | d);
            }
        }
    }
}
