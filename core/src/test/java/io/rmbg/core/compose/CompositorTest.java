package io.rmbg.core.compose;

import io.rmbg.core.image.AlphaMask;
import io.rmbg.core.image.RasterImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import javax.imageio.ImageIO;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class CompositorTest {

    private static final int OPAQUE_ORANGE = 0xFFFF8000;
    private static final int HALF_CLEAR_TEAL = 0x80008080;

    @Test
    void cutOutMultipliesMaskByOriginalAlpha() {
        RasterImage original =
                image(
                        OPAQUE_ORANGE,
                        OPAQUE_ORANGE,
                        HALF_CLEAR_TEAL,
                        HALF_CLEAR_TEAL,
                        OPAQUE_ORANGE);
        AlphaMask mask = mask(255, 128, 255, 128, 0);

        RasterImage out = Compositor.cutOut(original, mask);

        assertThat(out.hasAlpha()).isTrue();
        assertThat(out.argb())
                .containsExactly(
                        0xFFFF8000, // 255 * 255 / 255
                        0x80FF8000, // 128 * 255 / 255
                        0x80008080, // 255 * 128 / 255
                        0x40008080, // 128 * 128 / 255 = 64.25
                        0x00000000); // fully transparent: colour cleared too
    }

    @Test
    void cutOutPngDecodesToTheCutOutsPixels() throws IOException {
        // Every mask value against every original alpha, with whole rows removed above and below.
        int w = 256;
        int h = 260;
        int[] px = new int[w * h];
        byte[] m = new byte[w * h];
        Random random = new Random(9);
        for (int y = 2; y < h - 2; y++) {
            for (int x = 0; x < w; x++) {
                px[y * w + x] = (random.nextInt(256) << 24) | random.nextInt(1 << 24);
                m[y * w + x] = (byte) (y - 2 == x ? 0 : y - 2);
            }
        }
        px[0] = OPAQUE_ORANGE; // colour under a removed row: must come out transparent black
        RasterImage original = new RasterImage(w, h, px, true);
        AlphaMask mask = new AlphaMask(w, h, m);

        BufferedImage back =
                ImageIO.read(new ByteArrayInputStream(Compositor.cutOutPng(original, mask)));

        assertThat(back.getRGB(0, 0, w, h, null, 0, w))
                .isEqualTo(Compositor.cutOut(original, mask).argb());
    }

    @Test
    void cutOutPngComposesOnlyWhatTheMaskKeepsAndZeroesTheRest() throws IOException {
        // Rows whose kept span starts, ends or sits in the middle, one kept pixel at either edge,
        // rows removed between kept ones; an opaque original (the JPEG case) and a translucent one.
        int w = 97;
        int h = 40;
        Random random = new Random(10);
        byte[] m = new byte[w * h];
        for (int y = 0; y < h; y++) {
            int from = (y * 7) % w;
            int to = Math.min(w, from + 1 + (y * 13) % w);
            if (y % 5 == 3) {
                continue; // a removed row between kept ones
            }
            for (int x = from; x < to; x++) {
                m[y * w + x] = (byte) (1 + random.nextInt(255));
            }
        }
        m[5 * w] = (byte) 200; // the first pixel of a row
        m[6 * w + w - 1] = (byte) 9; // the last
        for (boolean alpha : new boolean[] {false, true}) {
            int[] px = new int[w * h];
            for (int i = 0; i < px.length; i++) {
                int a = alpha ? random.nextInt(256) : 0xFF;
                px[i] = a << 24 | random.nextInt(1 << 24);
            }
            RasterImage original = new RasterImage(w, h, px, alpha);
            AlphaMask mask = new AlphaMask(w, h, m);

            BufferedImage back =
                    ImageIO.read(new ByteArrayInputStream(Compositor.cutOutPng(original, mask)));

            assertThat(back.getRGB(0, 0, w, h, null, 0, w))
                    .as("original with alpha: %s", alpha)
                    .isEqualTo(Compositor.cutOut(original, mask).argb());
        }
    }

    @Test
    void onBackgroundBlendsOverTheColourAndIsOpaque() {
        RasterImage original = image(0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0x00FFFFFF, 0xFF204060);
        AlphaMask mask = mask(255, 0, 128, 255, 51);

        RasterImage out = Compositor.onBackground(original, mask, 0x000000);

        assertThat(out.hasAlpha()).isFalse();
        assertThat(out.argb())
                .containsExactly(
                        0xFFFFFFFF, // subject
                        0xFF000000, // background
                        0xFF808080, // 255 * 128 / 255 over black
                        0xFF000000, // the original itself was transparent there
                        0xFF060D13); // 0x20,0x40,0x60 * 51 / 255 = 6.4, 12.8, 19.2
    }

    @Test
    void onBackgroundUsesTheBackgroundsChannels() {
        RasterImage black = image(0xFF000000, 0xFF000000);

        RasterImage out = Compositor.onBackground(black, mask(0, 64), 0x3366CC);

        // (255 - 64) / 255 of 0x33, 0x66, 0xCC = 38.2, 76.4, 152.8
        assertThat(out.argb()).containsExactly(0xFF3366CC, 0xFF264C99);
    }

    @Test
    void rejectsMaskOfAnotherSize() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Compositor.cutOut(image(0, 0), mask(1, 2, 3)))
                .withMessageContaining("mask is 3x1 but the image is 2x1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Compositor.onBackground(image(0, 0), mask(1, 2, 3), 0));
    }

    @Test
    void parsesHexColours() {
        assertThat(Compositor.parseHexColour("#FFFFFF")).isEqualTo(0xFFFFFF);
        assertThat(Compositor.parseHexColour("#000000")).isEqualTo(0);
        assertThat(Compositor.parseHexColour("#00ff7F")).isEqualTo(0x00FF7F);
        assertThat(Compositor.parseHexColour("#12aB9c")).isEqualTo(0x12AB9C);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(
            strings = {
                "FFFFFF",
                "#FFF",
                "#GGGGGG",
                "#FFFFFF00",
                " #FFFFFF",
                "#FF FF F",
                "0xFFFFFF"
            })
    void rejectsOtherColourSpellings(String s) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Compositor.parseHexColour(s))
                .withMessageContaining("#RRGGBB");
    }

    @Test
    void postProcessRemovesSpecksAndFillsPinholes() {
        String[] before = {
            "............",
            ".#..........",
            "............",
            "....########",
            "....########",
            "....########",
            "....###.####",
            "....########",
            "....########",
            "....########",
        };
        String[] after = {
            "............",
            "............",
            "............",
            "....########",
            "....########",
            "....########",
            "....########",
            "....########",
            "....########",
            "....########",
        };

        assertThat(draw(Compositor.postProcess(parse(before)))).containsExactly(after);
    }

    @Test
    void postProcessBinarisesSoftValuesAtTheMiddle() {
        AlphaMask soft = new AlphaMask(5, 5, filled(25, 200));
        soft.alpha()[12] = (byte) 127; // a single weak pixel inside is a pinhole
        AlphaMask faint = new AlphaMask(5, 5, filled(25, 127));

        assertThat(Compositor.postProcess(soft).alpha()).containsOnly((byte) 255);
        assertThat(Compositor.postProcess(faint).alpha()).containsOnly((byte) 0);
    }

    private static RasterImage image(int... argb) {
        return new RasterImage(argb.length, 1, argb, true);
    }

    private static AlphaMask mask(int... values) {
        byte[] alpha = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            alpha[i] = (byte) values[i];
        }
        return new AlphaMask(values.length, 1, alpha);
    }

    private static byte[] filled(int n, int value) {
        byte[] out = new byte[n];
        java.util.Arrays.fill(out, (byte) value);
        return out;
    }

    /** '#' is subject (255), '.' background (0). */
    private static AlphaMask parse(String[] rows) {
        int w = rows[0].length();
        byte[] alpha = new byte[w * rows.length];
        for (int y = 0; y < rows.length; y++) {
            for (int x = 0; x < w; x++) {
                alpha[y * w + x] = (byte) (rows[y].charAt(x) == '#' ? 255 : 0);
            }
        }
        return new AlphaMask(w, rows.length, alpha);
    }

    private static String[] draw(AlphaMask mask) {
        String[] rows = new String[mask.height()];
        for (int y = 0; y < mask.height(); y++) {
            StringBuilder row = new StringBuilder();
            for (int x = 0; x < mask.width(); x++) {
                row.append(mask.at(x, y) == 255 ? '#' : mask.at(x, y) == 0 ? '.' : '?');
            }
            rows[y] = row.toString();
        }
        return rows;
    }
}
