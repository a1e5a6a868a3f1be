package io.rmbg.core.image;

import io.rmbg.core.error.ErrorCode;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.Deflater;

import static io.rmbg.core.image.Failures.failure;
import static io.rmbg.core.image.HostileImages.deflate;
import static io.rmbg.core.image.HostileImages.png;
import static org.assertj.core.api.Assertions.assertThat;

class Png16DecoderTest {

    private static final int GREY = 0;
    private static final int RGB = 2;
    private static final int GREY_ALPHA = 4;
    private static final int RGBA = 6;

    private final ImageDecoder decoder = new ImageDecoder(50_000_000L);

    @Test
    void matchesTheJdkReaderForEveryColourTypeAndFilter() throws Exception {
        Random random = new Random(16);
        for (int type : new int[] {GREY, RGB, GREY_ALPHA, RGBA}) {
            int w = 13;
            int h = 11;
            int channels = PngChunks.samples(type);
            int[] samples = new int[w * h * channels];
            for (int i = 0; i < samples.length; i++) {
                // Extremes and random values, so rounding at both ends is exercised.
                samples[i] = i % 7 == 0 ? 0 : i % 5 == 0 ? 0xFFFF : random.nextInt(0x10000);
            }
            byte[] bytes = png(w, h, 16, type, "IDAT", deflate(filtered(w, h, channels, samples)));

            assertSameAsJdk(bytes, "colour type " + type);
        }
    }

    @Test
    void makesTheTransparencyColourTransparentAsTheJdkDoes() throws Exception {
        int w = 4;
        int h = 2;
        int[] grey = {0x1234, 0x5678, 0x1234, 0xFFFF, 0, 0x1234, 0x1235, 0x1234};
        byte[] greyPng =
                png(
                        w,
                        h,
                        16,
                        GREY,
                        "tRNS",
                        new byte[] {0x12, 0x34},
                        "IDAT",
                        deflate(filtered(w, h, 1, grey)));
        RasterImage greyImage = assertSameAsJdk(greyPng, "grey with tRNS");
        assertThat(greyImage.hasAlpha()).isTrue();
        assertThat(greyImage.argb()[0] >>> 24).isZero();
        assertThat(greyImage.argb()[1] >>> 24).isEqualTo(0xFF);

        int[] rgb = new int[w * h * 3];
        Arrays.fill(rgb, 0x4000);
        rgb[3] = 0x4001; // pixel 1 differs in red only: stays opaque
        byte[] rgbPng =
                png(
                        w,
                        h,
                        16,
                        RGB,
                        "tRNS",
                        new byte[] {0x40, 0, 0x40, 0, 0x40, 0},
                        "IDAT",
                        deflate(filtered(w, h, 3, rgb)));
        RasterImage rgbImage = assertSameAsJdk(rgbPng, "RGB with tRNS");
        assertThat(rgbImage.argb()[0] >>> 24).isZero();
        assertThat(rgbImage.argb()[1] >>> 24).isEqualTo(0xFF);
    }

    @Test
    void takesOnlyNonInterlacedSixteenBitImages() throws Exception {
        byte[] eightBit =
                TestImages.encode(
                        TestImages.quadrants(8, 8, java.awt.image.BufferedImage.TYPE_INT_ARGB),
                        "png");
        assertThat(Png16Decoder.accepts(PngChunks.walk(eightBit))).isFalse();
        assertThat(Png16Decoder.accepts(new PngChunks(8, 8, 16, RGBA, true, 33, null))).isFalse();
        assertThat(Png16Decoder.accepts(new PngChunks(8, 8, 16, RGBA, false, 33, null))).isTrue();
    }

    @Test
    void truncatedOrCorruptImageDataIsDecodeError() {
        int[] samples = new int[16 * 16 * 4];
        Arrays.fill(samples, 0x8000);
        byte[] raw = filtered(16, 16, 4, samples);
        byte[] shortData =
                png(16, 16, 16, RGBA, "IDAT", deflate(Arrays.copyOf(raw, raw.length / 2)));
        assertThat(failure(() -> decoder.decode(shortData)).getMessage()).contains("ends early");

        raw[0] = 9; // no such filter type
        byte[] badFilter = png(16, 16, 16, RGBA, "IDAT", deflate(raw));
        assertThat(failure(() -> decoder.decode(badFilter)).code())
                .isEqualTo(ErrorCode.IMAGE_DECODE);

        byte[] notZlib = png(16, 16, 16, RGBA, "IDAT", new byte[] {1, 2, 3, 4, 5, 6});
        assertThat(failure(() -> decoder.decode(notZlib)).code()).isEqualTo(ErrorCode.IMAGE_DECODE);
    }

    /**
     * A legal 49-megapixel RGBA 16-bit PNG of under 400 KB: the JDK reader alone would allocate 392
     * MB for its raster before the 196 MB ARGB result. Streaming needs the result and rows.
     */
    @Test
    void decodesFortyNineMegapixelsWithLittleMoreThanTheResult() throws Exception {
        int w = 7000;
        int h = 7000;
        byte[] bytes = gradientRowsPng(w, h);
        assertThat(bytes.length).isLessThan(600_000);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();

        long before = threads.getThreadAllocatedBytes(thread);
        RasterImage image = decoder.decode(bytes);
        long allocated = threads.getThreadAllocatedBytes(thread) - before;

        assertThat(allocated).as("bytes allocated by the decode").isLessThan(250L << 20);
        assertThat(image.width()).isEqualTo(w);
        assertThat(image.hasAlpha()).isTrue();
        Random random = new Random(49);
        for (int i = 0; i < 10_000; i++) {
            int x = random.nextInt(w);
            int y = random.nextInt(h);
            assertThat(image.argb()[y * w + x]).as("pixel %d,%d", x, y).isEqualTo(gradient(x));
        }
        assertThat(DecodeCost.peakBytes(ImageProbe.probe(bytes))).isLessThan(250L << 20);
    }

    /** Every row is the same gradient: row 0 unfiltered, the rest Up-filtered zeros. */
    private static byte[] gradientRowsPng(int w, int h) {
        byte[] first = new byte[1 + w * 8];
        ByteBuffer row = ByteBuffer.wrap(first, 1, w * 8);
        for (int x = 0; x < w; x++) {
            row.putShort((short) (x * 9)).putShort((short) (0xFFFF - x * 9));
            row.putShort((short) 0x8000).putShort((short) (0xFFFF - x));
        }
        byte[] up = new byte[first.length];
        up[0] = 2;
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        byte[] buffer = new byte[1 << 16];
        for (int y = 0; y < h; y++) {
            deflater.setInput(y == 0 ? first : up);
            while (!deflater.needsInput()) {
                idat.write(buffer, 0, deflater.deflate(buffer));
            }
        }
        deflater.finish();
        while (!deflater.finished()) {
            idat.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        return png(w, h, 16, RGBA, "IDAT", idat.toByteArray());
    }

    private static int gradient(int x) {
        return (to8(0xFFFF - x) << 24)
                | (to8(x * 9) << 16)
                | (to8(0xFFFF - x * 9) << 8)
                | to8(0x8000);
    }

    private static int to8(int v) {
        return TestImages.to8(v);
    }

    private RasterImage assertSameAsJdk(byte[] bytes, String what) throws Exception {
        RasterImage ours = decoder.decode(bytes);
        RasterImage jdk = RasterConverter.toRaster(ImageIO.read(new ByteArrayInputStream(bytes)));
        assertThat(ours.hasAlpha()).as(what + ": alpha flag").isEqualTo(jdk.hasAlpha());
        assertThat(ours.argb()).as(what + ": pixels").containsExactly(jdk.argb());
        return ours;
    }

    /**
     * Big-endian 16-bit samples with filter type {@code y % 5} on row y, so each of PNG's five
     * filters is undone at least twice.
     */
    static byte[] filtered(int w, int h, int channels, int[] samples) {
        int bpp = channels * 2;
        int stride = w * bpp;
        byte[] raw = new byte[stride];
        byte[] prior = new byte[stride];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int y = 0; y < h; y++) {
            for (int i = 0; i < w * channels; i++) {
                int v = samples[y * w * channels + i];
                raw[2 * i] = (byte) (v >>> 8);
                raw[2 * i + 1] = (byte) v;
            }
            int filter = y % 5;
            out.write(filter);
            for (int i = 0; i < stride; i++) {
                int a = i >= bpp ? raw[i - bpp] & 0xFF : 0;
                int b = prior[i] & 0xFF;
                int c = i >= bpp ? prior[i - bpp] & 0xFF : 0;
                int predictor =
                        switch (filter) {
                            case 1 -> a;
                            case 2 -> b;
                            case 3 -> (a + b) >>> 1;
                            case 4 -> paeth(a, b, c);
                            default -> 0;
                        };
                out.write((raw[i] - predictor) & 0xFF);
            }
            System.arraycopy(raw, 0, prior, 0, stride);
        }
        return out.toByteArray();
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
