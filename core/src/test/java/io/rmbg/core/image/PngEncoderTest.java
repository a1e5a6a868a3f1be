package io.rmbg.core.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.imageio.ImageIO;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class PngEncoderTest {

    /** Every channel value, random alpha including 0 (whose colour PNG must keep too). */
    private static final RasterImage RANDOM_RGBA = randomImage(61, 37, true);

    @Test
    void rgbaRoundTripsExactly() throws IOException {
        BufferedImage back = read(PngEncoder.encodeRgba(RANDOM_RGBA));

        assertThat(back.getColorModel().hasAlpha()).isTrue();
        assertThat(getRgb(back)).isEqualTo(RANDOM_RGBA.argb());
    }

    @Test
    void rgbRoundTripsAndDropsAlpha() throws IOException {
        BufferedImage back = read(PngEncoder.encodeRgb(RANDOM_RGBA));

        assertThat(back.getColorModel().hasAlpha()).isFalse();
        int[] expected = RANDOM_RGBA.argb().clone();
        for (int i = 0; i < expected.length; i++) {
            expected[i] |= 0xFF000000;
        }
        assertThat(getRgb(back)).isEqualTo(expected);
    }

    @Test
    void greyRoundTripsExactly() throws IOException {
        byte[] alpha = new byte[50 * 20];
        new Random(5).nextBytes(alpha);
        AlphaMask mask = new AlphaMask(50, 20, alpha);

        BufferedImage back = read(PngEncoder.encodeGray(mask));

        assertThat(back.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
        byte[] samples = new byte[alpha.length];
        back.getRaster().getDataElements(0, 0, 50, 20, samples);
        assertThat(samples).isEqualTo(alpha);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 6, 9})
    void everyDeflateLevelRoundTrips(int level) throws IOException {
        assertThat(getRgb(read(PngEncoder.encodeRgba(RANDOM_RGBA, level))))
                .isEqualTo(RANDOM_RGBA.argb());
    }

    @Test
    void tinyImagesRoundTrip() throws IOException {
        RasterImage one = new RasterImage(1, 1, new int[] {0x80123456}, true);
        assertThat(getRgb(read(PngEncoder.encodeRgba(one)))).containsExactly(0x80123456);
        AlphaMask column = new AlphaMask(1, 3, new byte[] {0, (byte) 128, (byte) 255});
        assertThat(
                        read(PngEncoder.encodeGray(column))
                                .getRaster()
                                .getSamples(0, 0, 1, 3, 0, (int[]) null))
                .containsExactly(0, 128, 255);
    }

    @Test
    void writesWellFormedChunksAndSplitsIdat() {
        // Noise does not compress, so 400x300 RGBA needs several 64 KiB IDAT chunks.
        byte[] png = PngEncoder.encodeRgba(randomImage(400, 300, true));

        List<String> types = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(png, 8, png.length - 8);
        while (b.hasRemaining()) {
            int length = b.getInt();
            byte[] typeAndData = new byte[4 + length];
            b.get(typeAndData);
            CRC32 crc = new CRC32();
            crc.update(typeAndData);
            String type = new String(typeAndData, 0, 4, StandardCharsets.US_ASCII);
            assertThat(b.getInt()).as("CRC of %s", type).isEqualTo((int) crc.getValue());
            assertThat(length).isLessThanOrEqualTo(PngChunkWriter.IDAT_SIZE);
            types.add(type);
        }
        assertThat(types.get(0)).isEqualTo("IHDR");
        assertThat(types.get(types.size() - 1)).isEqualTo("IEND");
        assertThat(types.stream().filter("IDAT"::equals).count()).isGreaterThan(1);
    }

    @Test
    void smoothImagesCompressWellAndBeatImageIo() throws IOException {
        RasterImage smooth = gradient(256, 256);

        byte[] ours = PngEncoder.encodeRgba(smooth);

        BufferedImage bi = new BufferedImage(256, 256, BufferedImage.TYPE_INT_ARGB);
        bi.setRGB(0, 0, 256, 256, smooth.argb(), 0, 256);
        ByteArrayOutputStream imageIo = new ByteArrayOutputStream();
        ImageIO.write(bi, "png", imageIo);
        assertThat(ours.length).isLessThan(256 * 256 * 4 / 20).isLessThan(imageIo.size());
    }

    @Test
    void cutOutsAndMasksWithRepeatedStretchesRoundTripExactly() throws IOException {
        // Transparent (zero) background, a noisy subject, runs of rows repeating the row above
        // partly or wholly, and edges just inside and outside the 64-byte compare stretches.
        int w = 301;
        int h = 97;
        int[] argb = new int[w * h];
        byte[] alpha = new byte[w * h];
        Random random = new Random(17);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                // The right edge alternates across a compare-stretch start (pixel 193 = byte 772 =
                // 4 + 12 * 64).
                boolean subject = x > 40 + y % 23 && x < 192 + (y & 1) && y > 10 && y < 80;
                if (y % 9 == 4 && y > 0) {
                    argb[i] = x < 150 ? argb[i - w] : random.nextInt(); // half a repeated row
                    alpha[i] = x < 150 ? alpha[i - w] : (byte) random.nextInt();
                } else if (subject) {
                    argb[i] = random.nextInt() | 0x01000000;
                    alpha[i] = (byte) (x % 16 == 0 ? random.nextInt() : 255);
                }
            }
        }
        RasterImage cutOut = new RasterImage(w, h, argb, true);
        AlphaMask mask = new AlphaMask(w, h, alpha);

        assertThat(getRgb(read(PngEncoder.encodeRgba(cutOut)))).isEqualTo(argb);
        byte[] samples = new byte[alpha.length];
        read(PngEncoder.encodeGray(mask)).getRaster().getDataElements(0, 0, w, h, samples);
        assertThat(samples).isEqualTo(alpha);
    }

    @Test
    void rejectsBadDeflateLevel() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> PngEncoder.encodeRgba(RANDOM_RGBA, 10))
                .withMessageContaining("0..9");
    }

    private static RasterImage randomImage(int width, int height, boolean alpha) {
        int[] argb = new int[width * height];
        Random random = new Random(width * 31L + height);
        for (int i = 0; i < argb.length; i++) {
            argb[i] = random.nextInt();
        }
        return new RasterImage(width, height, argb, alpha);
    }

    /** Smooth colour ramps with a soft diagonal alpha edge, like a cut-out's interior. */
    private static RasterImage gradient(int width, int height) {
        int[] argb = new int[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int a = Math.max(0, Math.min(255, (x + y - 200) * 4));
                argb[y * width + x] = a << 24 | x << 16 | y << 8 | ((x + y) / 2);
            }
        }
        return new RasterImage(width, height, argb, true);
    }

    private static BufferedImage read(byte[] png) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(img).as("ImageIO could not read the PNG").isNotNull();
        return img;
    }

    private static int[] getRgb(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }
}
