package io.rmbg.core.image;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.Random;

import static io.rmbg.core.image.Failures.failure;
import static io.rmbg.core.image.TestImages.BLUE;
import static io.rmbg.core.image.TestImages.GIF_PALETTE;
import static io.rmbg.core.image.TestImages.GREEN;
import static io.rmbg.core.image.TestImages.PALETTE;
import static io.rmbg.core.image.TestImages.RED;
import static io.rmbg.core.image.TestImages.WHITE;
import static io.rmbg.core.image.TestImages.encode;
import static io.rmbg.core.image.TestImages.indexed;
import static io.rmbg.core.image.TestImages.jpeg;
import static io.rmbg.core.image.TestImages.quadrantColour;
import static io.rmbg.core.image.TestImages.quadrants;
import static io.rmbg.core.image.TestImages.to8;
import static org.assertj.core.api.Assertions.assertThat;

class ImageDecoderTest {

    private static final long FIFTY_MEGAPIXELS = 50_000_000L;

    private final ImageDecoder decoder = new ImageDecoder(FIFTY_MEGAPIXELS);

    @Test
    void decodesJpegWithinTolerance() throws Exception {
        RasterImage img = decoder.decode(jpeg(quadrants(64, 48, BufferedImage.TYPE_INT_RGB)));

        assertThat(img.width()).isEqualTo(64);
        assertThat(img.height()).isEqualTo(48);
        assertThat(img.hasAlpha()).isFalse();
        assertClose(pixel(img, 16, 12), RED);
        assertClose(pixel(img, 48, 12), GREEN);
        assertClose(pixel(img, 16, 36), BLUE);
        assertClose(pixel(img, 48, 36), WHITE);
    }

    @Test
    void decodesGreyPngWithoutGammaShift() throws Exception {
        BufferedImage grey = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster r = grey.getRaster();
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                r.setSample(x, y, 0, y * 16 + x);
            }
        }
        RasterImage img = decoder.decode(encode(grey, "png"));

        assertThat(img.hasAlpha()).isFalse();
        for (int v = 0; v < 256; v++) {
            assertThat(img.argb()[v]).as("grey %d", v).isEqualTo(0xFF000000 | v * 0x010101);
        }
    }

    @Test
    void decodesSixteenBitGreyPng() throws Exception {
        int[] samples = {0, 0xFFFF, 0x8080, 0x12FF, 0x0080, 0x7F7F};
        BufferedImage grey = new BufferedImage(samples.length, 1, BufferedImage.TYPE_USHORT_GRAY);
        grey.getRaster().setPixels(0, 0, samples.length, 1, samples);

        RasterImage img = decoder.decode(encode(grey, "png"));

        for (int i = 0; i < samples.length; i++) {
            assertThat(img.argb()[i]).isEqualTo(0xFF000000 | to8(samples[i]) * 0x010101);
        }
        assertThat(img.argb()[3]).as("0x12FF rounds up").isEqualTo(0xFF131313);
    }

    @Test
    void decodesPalettePngsWithTransparency() throws Exception {
        for (int bits : new int[] {8, 2}) {
            RasterImage img = decoder.decode(encode(indexed(7, 5, bits, PALETTE), "png"));

            assertThat(img.hasAlpha()).isTrue();
            for (int y = 0; y < 5; y++) {
                for (int x = 0; x < 7; x++) {
                    assertThat(pixel(img, x, y))
                            .as("%d-bit palette at %d,%d", bits, x, y)
                            .isEqualTo(PALETTE[(x + y) % 4]);
                }
            }
        }
    }

    @Test
    void decodesGifFirstFrame() throws Exception {
        byte[] gif = TestImages.gif(indexed(9, 4, 8, GIF_PALETTE), 9, 4, 0, 0);

        RasterImage img = decoder.decode(gif);

        assertThat(img.width()).isEqualTo(9);
        assertThat(img.height()).isEqualTo(4);
        assertThat(img.hasAlpha()).isTrue();
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 9; x++) {
                assertThat(pixel(img, x, y))
                        .as("at %d,%d", x, y)
                        .isEqualTo(GIF_PALETTE[(x + y) % 4]);
            }
        }
    }

    @Test
    void placesGifFrameOnItsLogicalScreen() throws Exception {
        byte[] gif = TestImages.gif(indexed(3, 2, 8, GIF_PALETTE), 6, 5, 2, 1);

        RasterImage img = decoder.decode(gif);

        assertThat(img.width()).isEqualTo(6);
        assertThat(img.height()).isEqualTo(5);
        assertThat(pixel(img, 0, 0)).as("outside the frame").isZero();
        assertThat(pixel(img, 2, 1)).isEqualTo(GIF_PALETTE[0]);
        assertThat(pixel(img, 3, 1)).isEqualTo(GIF_PALETTE[1]);
        assertThat(pixel(img, 3, 2)).isEqualTo(GIF_PALETTE[2]);
        assertThat(pixel(img, 5, 4)).as("outside the frame").isZero();
    }

    @Test
    void decodesPngAlphaExactly() throws Exception {
        BufferedImage argb = new BufferedImage(32, 8, BufferedImage.TYPE_INT_ARGB);
        int[] pixels = randomPixels(32 * 8, 7);
        argb.setRGB(0, 0, 32, 8, pixels, 0, 32);

        RasterImage img = decoder.decode(encode(argb, "png"));

        assertThat(img.hasAlpha()).isTrue();
        assertThat(img.argb()).isEqualTo(pixels);
    }

    @Test
    void decodesSixteenBitRgbAndRgbaPng() throws Exception {
        int[] rgb = {0x0000, 0xFFFF, 0x8080, 0x12FF, 0xABCD, 0x0101};
        RasterImage opaque = decoder.decode(encode(TestImages.rgb16(2, 1, false, rgb), "png"));
        assertThat(opaque.hasAlpha()).isFalse();
        assertThat(opaque.argb()).containsExactly(argb(0xFF, rgb, 0), argb(0xFF, rgb, 3));

        int[] rgba = {0xFFFF, 0x0000, 0x8000, 0x4000, 0x1234, 0x5678, 0x9ABC, 0xDEF0};
        RasterImage translucent = decoder.decode(encode(TestImages.rgb16(2, 1, true, rgba), "png"));
        assertThat(translucent.hasAlpha()).isTrue();
        assertThat(translucent.argb())
                .containsExactly(argb(to8(rgba[3]), rgba, 0), argb(to8(rgba[7]), rgba, 4));
    }

    @Test
    void decodesBmp() throws Exception {
        for (int type : new int[] {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_INT_RGB}) {
            RasterImage img = decoder.decode(encode(quadrants(10, 6, type), "bmp"));

            assertThat(img.hasAlpha()).isFalse();
            for (int y = 0; y < 6; y++) {
                for (int x = 0; x < 10; x++) {
                    assertThat(pixel(img, x, y)).isEqualTo(quadrantColour(x, y, 10, 6));
                }
            }
        }
    }

    @Test
    void refusesDecompressionBombsBeforeDecoding() {
        ProcessingException png =
                failure(() -> decoder.decode(TestImages.pngHeaderOnly(50_000, 50_000)));
        assertThat(png.code()).isEqualTo(ErrorCode.IMAGE_TOO_LARGE);
        assertThat(png.getMessage())
                .isEqualTo(
                        "image is 50000x50000 = 2500.0 MP, the limit is 50.0 MP; resize it or"
                                + " raise image.max-pixels");

        ProcessingException gif =
                failure(() -> decoder.decode(TestImages.gifHeaderOnly(20_000, 20_000)));
        assertThat(gif.code()).isEqualTo(ErrorCode.IMAGE_TOO_LARGE);
        assertThat(gif.getMessage()).startsWith("image is 20000x20000 = 400.0 MP");
    }

    @Test
    void limitIsInclusive() throws Exception {
        byte[] png = encode(quadrants(37, 23, BufferedImage.TYPE_INT_RGB), "png");

        assertThat(new ImageDecoder(37 * 23).decode(png).pixels()).isEqualTo(37 * 23);
        assertThat(failure(() -> new ImageDecoder(37 * 23 - 1).decode(png)).code())
                .isEqualTo(ErrorCode.IMAGE_TOO_LARGE);
    }

    @Test
    void truncatedPngIsDecodeError() {
        byte[] png = encode(noise(64, 64), "png");

        ProcessingException e = failure(() -> decoder.decode(Arrays.copyOf(png, png.length / 2)));

        assertThat(e.code()).isEqualTo(ErrorCode.IMAGE_DECODE);
        assertThat(e.getMessage()).contains("PNG");
    }

    @Test
    void truncatedJpegIsDecodeError() {
        byte[] jpeg = jpeg(noise(64, 64));

        ProcessingException e =
                failure(() -> decoder.decode(Arrays.copyOf(jpeg, jpeg.length * 2 / 3)));

        assertThat(e.code()).isEqualTo(ErrorCode.IMAGE_DECODE);
        assertThat(e.getMessage()).contains("JPEG", "truncated");
    }

    @Test
    void corruptDataIsDecodeErrorNotCrash() {
        Random random = new Random(3);
        for (String format : new String[] {"png", "gif", "bmp", "jpeg"}) {
            byte[] valid =
                    format.equals("jpeg") ? jpeg(noise(32, 32)) : encode(noise(32, 32), format);
            for (int attempt = 0; attempt < 5; attempt++) {
                byte[] corrupt = valid.clone();
                int headerEnd = format.equals("jpeg") ? 200 : 60;
                for (int i = headerEnd; i < corrupt.length; i += 7) {
                    corrupt[i] = (byte) random.nextInt();
                }
                try {
                    decoder.decode(corrupt);
                } catch (ProcessingException e) {
                    assertThat(e.code())
                            .as("%s attempt %d: %s", format, attempt, e.getMessage())
                            .isIn(ErrorCode.IMAGE_DECODE, ErrorCode.IMAGE_TOO_LARGE);
                }
            }
        }
    }

    @Test
    void unrecognisedDataIsUnsupported() {
        assertThat(failure(() -> decoder.decode("not an image".getBytes())).code())
                .isEqualTo(ErrorCode.UNSUPPORTED_FORMAT);
    }

    @Test
    void appliesExifOrientation() throws Exception {
        byte[] jpeg = jpeg(quadrants(40, 20, BufferedImage.TYPE_INT_RGB));

        RasterImage rotated = decoder.decode(TestImages.withExifOrientation(jpeg, 6));

        // Orientation 6 means "rotate 90 degrees clockwise to view": bottom-left comes to the top.
        assertThat(rotated.width()).isEqualTo(20);
        assertThat(rotated.height()).isEqualTo(40);
        assertClose(pixel(rotated, 5, 10), BLUE);
        assertClose(pixel(rotated, 15, 10), RED);
        assertClose(pixel(rotated, 5, 30), WHITE);
        assertClose(pixel(rotated, 15, 30), GREEN);

        RasterImage upright = decoder.decode(TestImages.withExifOrientation(jpeg, 1));
        assertThat(upright.width()).isEqualTo(40);
        assertClose(pixel(upright, 10, 5), RED);
    }

    @Test
    void decodesCmykJpegThroughItsColourModel() throws Exception {
        byte[] cmyk = TestImages.cmykJpeg(16, 16);
        BufferedImage reference = ImageIO.read(new ByteArrayInputStream(cmyk));

        RasterImage img = decoder.decode(cmyk);

        assertThat(img.hasAlpha()).isFalse();
        assertThat(img.argb()).isEqualTo(reference.getRGB(0, 0, 16, 16, null, 0, 16));
    }

    private static int pixel(RasterImage img, int x, int y) {
        return img.argb()[y * img.width() + x];
    }

    private static int argb(int alpha, int[] samples16, int offset) {
        return alpha << 24
                | to8(samples16[offset]) << 16
                | to8(samples16[offset + 1]) << 8
                | to8(samples16[offset + 2]);
    }

    /** JPEG keeps colours within a few levels at quality 1.0 away from edges. */
    private static void assertClose(int actual, int expected) {
        for (int shift = 0; shift <= 24; shift += 8) {
            int a = (actual >>> shift) & 0xFF;
            int e = (expected >>> shift) & 0xFF;
            assertThat(Math.abs(a - e))
                    .as("channel at bit %d of %08x vs %08x", shift, actual, expected)
                    .isLessThanOrEqualTo(8);
        }
    }

    private static int[] randomPixels(int n, long seed) {
        Random random = new Random(seed);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = random.nextInt();
        }
        return out;
    }

    private static BufferedImage noise(int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, width, height, randomPixels(width * height, 11), 0, width);
        return img;
    }
}
