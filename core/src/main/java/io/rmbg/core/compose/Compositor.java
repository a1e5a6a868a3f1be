package io.rmbg.core.compose;

import io.rmbg.core.image.AlphaMask;
import io.rmbg.core.image.FastPngEncoder;
import io.rmbg.core.image.RasterImage;

import java.util.Arrays;

/**
 * Combines an original image with its mask: a transparent cut-out, or the subject over a solid
 * colour. Also parses the colour and cleans up a mask on request.
 *
 * <pre>{@code
 * RasterImage cutOut = Compositor.cutOut(original, mask);
 * int white = Compositor.parseHexColour("#FFFFFF");
 * RasterImage onWhite = Compositor.onBackground(original, mask, white);
 * }</pre>
 */
public final class Compositor {

    private Compositor() {}

    /**
     * RGBA cut-out: alpha is {@code mask * originalAlpha / 255} (rounded), colour is the
     * original's. Fully transparent pixels become 0x00000000: invisible either way, but the removed
     * background's colours then neither leak into the file nor bloat the PNG.
     */
    public static RasterImage cutOut(RasterImage original, AlphaMask mask) {
        checkSameSize(original, mask);
        int[] src = original.argb();
        byte[] m = mask.alpha();
        int[] out = new int[src.length];
        for (int i = 0; i < src.length; i++) {
            int p = src[i];
            int a = mul255(m[i] & 0xFF, p >>> 24);
            out[i] = a == 0 ? 0 : (a << 24) | (p & 0xFFFFFF);
        }
        return new RasterImage(original.width(), original.height(), out, true);
    }

    /**
     * The PNG of {@link #cutOut} without building the cut-out: each row is composed just before the
     * encoder writes it ({@link FastPngEncoder#fastRgba(int, int, FastPngEncoder.Rows)}); a row the
     * mask removes entirely is skipped without looking at the image, and in the other rows only the
     * span between the first and last pixel the mask keeps is composed, the rest zeroed. An opaque
     * original (every JPEG) takes the mask as alpha without a multiplication. Decodes to exactly
     * the pixels of {@code cutOut(original, mask)}.
     */
    public static byte[] cutOutPng(RasterImage original, AlphaMask mask) {
        checkSameSize(original, mask);
        int w = original.width();
        int[] src = original.argb();
        byte[] m = mask.alpha();
        byte[] clearRow = new byte[w];
        boolean opaque = !original.hasAlpha();
        return FastPngEncoder.fastRgba(
                w,
                original.height(),
                new FastPngEncoder.Rows() {
                    @Override
                    public boolean isZero(int y) {
                        int from = y * w;
                        return Arrays.equals(m, from, from + w, clearRow, 0, w);
                    }

                    @Override
                    public void fill(int y, byte[] row) {
                        int from = y * w;
                        int first = Arrays.mismatch(m, from, from + w, clearRow, 0, w);
                        if (first < 0) {
                            Arrays.fill(row, (byte) 0);
                            return;
                        }
                        int last = w - 1;
                        while (m[from + last] == 0) {
                            last--;
                        }
                        Arrays.fill(row, 0, first << 2, (byte) 0);
                        Arrays.fill(row, (last + 1) << 2, w << 2, (byte) 0);
                        if (opaque) {
                            composeOpaque(src, m, from, first, last, row);
                        } else {
                            compose(src, m, from, first, last, row);
                        }
                    }
                });
    }

    /**
     * Pixels {@code first..last} of the row at {@code from}: alpha is the mask's times the image's.
     */
    private static void compose(int[] src, byte[] m, int from, int first, int last, byte[] row) {
        for (int x = first, i = from + first; x <= last; x++, i++) {
            int p = src[i];
            int a = mul255(m[i] & 0xFF, p >>> 24);
            int keep = -((a | -a) >>> 31); // 0 where a == 0, without a branch
            FastPngEncoder.putRgba(row, x, ((a << 24) | (p & 0xFFFFFF)) & keep);
        }
    }

    /** As {@link #compose} for an image whose alpha is 255 throughout: alpha is the mask's. */
    private static void composeOpaque(
            int[] src, byte[] m, int from, int first, int last, byte[] row) {
        for (int x = first, i = from + first; x <= last; x++, i++) {
            int a = m[i] & 0xFF;
            int keep = -((a | -a) >>> 31);
            FastPngEncoder.putRgba(row, x, ((a << 24) | (src[i] & 0xFFFFFF)) & keep);
        }
    }

    /**
     * Opaque RGB: the subject blended over {@code rgbBackground} (0xRRGGBB) with the same alpha as
     * {@link #cutOut}, so a transparent original shows the background too.
     */
    public static RasterImage onBackground(
            RasterImage original, AlphaMask mask, int rgbBackground) {
        checkSameSize(original, mask);
        int bgR = (rgbBackground >>> 16) & 0xFF;
        int bgG = (rgbBackground >>> 8) & 0xFF;
        int bgB = rgbBackground & 0xFF;
        int[] src = original.argb();
        byte[] m = mask.alpha();
        int[] out = new int[src.length];
        for (int i = 0; i < src.length; i++) {
            int p = src[i];
            int a = mul255(m[i] & 0xFF, p >>> 24);
            int r = blend((p >>> 16) & 0xFF, bgR, a);
            int g = blend((p >>> 8) & 0xFF, bgG, a);
            int b = blend(p & 0xFF, bgB, a);
            out[i] = 0xFF000000 | (r << 16) | (g << 8) | b;
        }
        return new RasterImage(original.width(), original.height(), out, false);
    }

    /**
     * {@code "#RRGGBB"} (hex digits in either case) to {@code 0xRRGGBB}.
     *
     * @throws IllegalArgumentException for anything else, saying what was expected
     */
    public static int parseHexColour(String s) {
        if (s == null || s.length() != 7 || s.charAt(0) != '#') {
            throw badColour(s);
        }
        int rgb = 0;
        for (int i = 1; i < 7; i++) {
            int digit = Character.digit(s.charAt(i), 16);
            if (digit < 0) {
                throw badColour(s);
            }
            rgb = (rgb << 4) | digit;
        }
        return rgb;
    }

    /**
     * Removes specks and pinholes smaller than 3x3 pixels and leaves a clean binary mask: the mask
     * is binarised at 128, opened (erode, dilate: drops isolated foreground specks) and then closed
     * (dilate, erode: fills small holes). Like rembg's {@code post_process}, the result is hard
     * 0/255, trading soft edges for a crisp outline.
     */
    public static AlphaMask postProcess(AlphaMask m) {
        int w = m.width();
        int h = m.height();
        byte[] src = m.alpha();
        byte[] a = new byte[src.length];
        for (int i = 0; i < src.length; i++) {
            a[i] = (byte) ((src[i] & 0xFF) >= 128 ? 1 : 0);
        }
        byte[] b = new byte[a.length];
        byte[] tmp = new byte[a.length];
        BinaryMorphology.erode(a, b, tmp, w, h);
        BinaryMorphology.dilate(b, a, tmp, w, h);
        BinaryMorphology.dilate(a, b, tmp, w, h);
        BinaryMorphology.erode(b, a, tmp, w, h);
        for (int i = 0; i < a.length; i++) {
            a[i] = (byte) (a[i] == 0 ? 0 : 255);
        }
        return new AlphaMask(w, h, a);
    }

    /** x * y / 255 rounded to nearest. */
    private static int mul255(int x, int y) {
        return div255(x * y);
    }

    private static int blend(int fg, int bg, int alpha) {
        return div255(fg * alpha + bg * (255 - alpha));
    }

    /** v / 255 rounded to nearest without a division; exact for 0 <= v <= 255 * 255. */
    private static int div255(int v) {
        int t = v + 128;
        return (t + (t >>> 8)) >>> 8;
    }

    private static void checkSameSize(RasterImage image, AlphaMask mask) {
        if (image.width() != mask.width() || image.height() != mask.height()) {
            throw new IllegalArgumentException(
                    "mask is "
                            + mask.width()
                            + "x"
                            + mask.height()
                            + " but the image is "
                            + image.width()
                            + "x"
                            + image.height());
        }
    }

    private static IllegalArgumentException badColour(String s) {
        return new IllegalArgumentException(
                "background colour must be \"#RRGGBB\" with six hex digits, e.g. \"#FFFFFF\"; got "
                        + (s == null ? "null" : "\"" + s + "\""));
    }
}
