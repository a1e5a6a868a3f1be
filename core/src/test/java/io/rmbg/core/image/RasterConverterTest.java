package io.rmbg.core.image;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.awt.image.BufferedImage;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fast data-buffer paths must agree with {@code BufferedImage.getRGB} for every colour layout
 * whose getRGB is plain sRGB (grey is not: Java treats it as linear, see the decoder test).
 */
class RasterConverterTest {

    @ParameterizedTest
    @ValueSource(
            ints = {
                BufferedImage.TYPE_INT_RGB,
                BufferedImage.TYPE_INT_ARGB,
                BufferedImage.TYPE_INT_BGR,
                BufferedImage.TYPE_3BYTE_BGR,
                BufferedImage.TYPE_4BYTE_ABGR,
                BufferedImage.TYPE_USHORT_565_RGB,
                BufferedImage.TYPE_USHORT_555_RGB,
                BufferedImage.TYPE_BYTE_INDEXED,
            })
    void matchesGetRgb(int type) {
        BufferedImage img = randomImage(type, 13, 9);

        RasterImage raster = RasterConverter.toRaster(img);

        assertThat(raster.argb()).isEqualTo(getRgb(img));
        assertThat(raster.hasAlpha()).isEqualTo(img.getColorModel().hasAlpha());
    }

    @ParameterizedTest
    @ValueSource(
            ints = {
                BufferedImage.TYPE_INT_ARGB,
                BufferedImage.TYPE_3BYTE_BGR,
                BufferedImage.TYPE_4BYTE_ABGR,
                BufferedImage.TYPE_BYTE_INDEXED,
            })
    void honoursSubimageOffsets(int type) {
        BufferedImage sub = randomImage(type, 13, 9).getSubimage(3, 2, 7, 5);

        assertThat(RasterConverter.toRaster(sub).argb()).isEqualTo(getRgb(sub));
    }

    @ParameterizedTest
    @ValueSource(ints = {BufferedImage.TYPE_INT_ARGB_PRE, BufferedImage.TYPE_4BYTE_ABGR_PRE})
    void unpremultipliesOpaqueAndClearPixels(int type) {
        BufferedImage img = new BufferedImage(2, 1, type);
        img.setRGB(0, 0, 0xFF336699);
        img.setRGB(1, 0, 0x00000000);

        assertThat(RasterConverter.toRaster(img).argb()).containsExactly(0xFF336699, 0x00000000);
    }

    private static BufferedImage randomImage(int type, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, type);
        Random random = new Random(type);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, random.nextInt());
            }
        }
        return img;
    }

    private static int[] getRgb(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }
}
