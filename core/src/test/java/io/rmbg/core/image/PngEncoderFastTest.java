package io.rmbg.core.image;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fast path ({@code FastPngEncoder.fast*}) writes other bytes than the zlib path but must
 * decode, with ImageIO, to exactly the same pixels.
 */
class PngEncoderFastTest {

    @Test
    void rgbaDecodesToTheSamePixelsAsTheZlibPath() throws IOException {
        RasterImage image = random(61, 37, true, 1);

        assertThat(argb(FastPngEncoder.fastRgba(image))).isEqualTo(image.argb());
        assertThat(argb(FastPngEncoder.fastRgba(image)))
                .isEqualTo(argb(PngEncoder.encodeRgba(image)));
    }

    @Test
    void rgbDropsAlphaAsTheZlibPathDoes() throws IOException {
        RasterImage image = random(50, 21, true, 2);

        BufferedImage back = read(FastPngEncoder.fastRgb(image));

        assertThat(back.getColorModel().hasAlpha()).isFalse();
        assertThat(argb(back)).isEqualTo(argb(PngEncoder.encodeRgb(image)));
    }

    @Test
    void greyDecodesToTheMaskBytes() throws IOException {
        byte[] alpha = new byte[70 * 33];
        new Random(3).nextBytes(alpha);
        for (int i = 0; i < 70 * 10; i++) {
            alpha[i] = 0; // some rows of removed background
        }
        AlphaMask mask = new AlphaMask(70, 33, alpha);

        BufferedImage back = read(FastPngEncoder.fastGray(mask));

        byte[] samples = new byte[alpha.length];
        back.getRaster().getDataElements(0, 0, 70, 33, samples);
        assertThat(samples).isEqualTo(alpha);
    }

    @Test
    void tinyAndWideImages() throws IOException {
        RasterImage one = new RasterImage(1, 1, new int[] {0x80123456}, true);
        assertThat(argb(FastPngEncoder.fastRgba(one))).containsExactly(0x80123456);
        // Rows longer than a deflate block and an IDAT chunk.
        RasterImage wide = random(70_000, 2, true, 4);
        assertThat(argb(FastPngEncoder.fastRgba(wide))).isEqualTo(wide.argb());
    }

    @Test
    void aCutOutStaysWithinAQuarterOfTheZlibPathsSize() throws IOException {
        // A photo-like subject (noisy colours) in the middle, removed background around it.
        int w = 400;
        int h = 300;
        int[] px = new int[w * h];
        Random random = new Random(5);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double dx = (x - 200) / 120.0;
                double dy = (y - 150) / 100.0;
                if (dx * dx + dy * dy < 1) {
                    int r = 150 + x / 4 + random.nextInt(16);
                    int g = 80 + y / 4 + random.nextInt(16);
                    int b = 60 + random.nextInt(16);
                    px[y * w + x] = 0xFF000000 | r << 16 | g << 8 | b;
                }
            }
        }
        RasterImage cutOut = new RasterImage(w, h, px, true);

        byte[] fast = FastPngEncoder.fastRgba(cutOut);

        assertThat(argb(fast)).isEqualTo(px);
        assertThat(fast.length).isLessThan(PngEncoder.encodeRgba(cutOut).length * 5 / 4);
    }

    @Test
    void rowsThatSayTheyAreZeroAreWrittenAsZeros() throws IOException {
        // zero rows first, between others, in a run, and last: each case of the skip
        int w = 37;
        int h = 12;
        RasterImage image = random(w, h, true, 6);
        int[] expected = image.argb().clone();
        boolean[] zero = {
            true, true, false, true, false, false, true, true, true, false, true, true
        };
        for (int y = 0; y < h; y++) {
            if (zero[y]) {
                java.util.Arrays.fill(expected, y * w, (y + 1) * w, 0);
            }
        }
        FastPngEncoder.Rows rows =
                new FastPngEncoder.Rows() {
                    @Override
                    public boolean isZero(int y) {
                        return zero[y];
                    }

                    @Override
                    public void fill(int y, byte[] row) {
                        assertThat(zero[y]).as("fill called for zero row " + y).isFalse();
                        for (int x = 0; x < w; x++) {
                            FastPngEncoder.putRgba(row, x, expected[y * w + x]);
                        }
                    }
                };

        assertThat(argb(FastPngEncoder.fastRgba(w, h, rows))).isEqualTo(expected);
    }

    @Test
    void aThreadsReusedBuffersCarryNothingFromOneImageToTheNext() throws IOException {
        // wide then narrow then wide again, noisy then blank: stale rows or tokens would show
        RasterImage wide = random(300, 40, true, 7);
        RasterImage narrow = random(9, 50, true, 8);
        RasterImage blank = new RasterImage(300, 40, new int[300 * 40], true);

        assertThat(argb(FastPngEncoder.fastRgba(wide))).isEqualTo(wide.argb());
        assertThat(argb(FastPngEncoder.fastRgba(narrow))).isEqualTo(narrow.argb());
        assertThat(argb(FastPngEncoder.fastRgba(blank))).isEqualTo(blank.argb());
        assertThat(argb(FastPngEncoder.fastRgba(wide))).isEqualTo(wide.argb());
    }

    @Test
    void aRowSourceThatWritesAPngItselfDoesNotShareTheOuterBuffers() throws IOException {
        RasterImage inner = random(13, 5, true, 9);
        RasterImage outer = random(21, 6, true, 10);
        byte[][] innerPng = new byte[1][];
        FastPngEncoder.Rows rows =
                (y, row) -> {
                    if (y == 2) {
                        innerPng[0] = FastPngEncoder.fastRgba(inner);
                    }
                    for (int x = 0; x < 21; x++) {
                        FastPngEncoder.putRgba(row, x, outer.argb()[y * 21 + x]);
                    }
                };

        assertThat(argb(FastPngEncoder.fastRgba(21, 6, rows))).isEqualTo(outer.argb());
        assertThat(argb(innerPng[0])).isEqualTo(inner.argb());
    }

    static RasterImage random(int w, int h, boolean alpha, long seed) {
        int[] px = new int[w * h];
        Random random = new Random(seed);
        for (int i = 0; i < px.length; i++) {
            px[i] = alpha ? random.nextInt() : random.nextInt() | 0xFF000000;
        }
        return new RasterImage(w, h, px, alpha);
    }

    static BufferedImage read(byte[] png) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(img).as("ImageIO reads the PNG").isNotNull();
        return img;
    }

    static int[] argb(byte[] png) throws IOException {
        return argb(read(png));
    }

    static int[] argb(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        return img.getRGB(0, 0, w, h, null, 0, w);
    }
}
