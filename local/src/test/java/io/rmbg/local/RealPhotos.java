package io.rmbg.local;

import io.rmbg.core.model.FetchableModel;
import io.rmbg.core.model.ModelCache;
import io.rmbg.core.model.NpmModelFetcher;

import javax.imageio.ImageIO;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the real model must make of the {@link SamplePhotos}: points that are clearly subject (alpha
 * ≥ 0.9) or clearly background (≤ 0.1), chosen by looking at each photo, and a golden mask (the
 * model's mask once looked at and committed, {@value #GOLDEN_WIDTH} px wide) that a new mask must
 * stay close to.
 */
final class RealPhotos {
    static final int GOLDEN_WIDTH = 128;

    /** Mean |mask − golden| over the downscaled mask, in 0..1. */
    static final double MAX_MEAN_DIFFERENCE = 0.02;

    /** Share of downscaled pixels that may differ by more than 0.25. */
    static final double MAX_FAR_OFF_SHARE = 0.01;

    record Photo(String name, int width, int height, List<int[]> subject, List<int[]> background) {}

    static final Photo ASTRONAUT =
            new Photo(
                    SamplePhotos.ASTRONAUT,
                    512,
                    512,
                    List.of(xy(230, 100), xy(150, 300), xy(250, 450)),
                    List.of(xy(30, 30), xy(470, 60), xy(420, 250)));
    static final Photo CHELSEA =
            new Photo(
                    SamplePhotos.CHELSEA,
                    451,
                    300,
                    List.of(xy(170, 120), xy(260, 200), xy(100, 60)),
                    List.of(xy(8, 60), xy(435, 230)));
    static final Photo COFFEE =
            new Photo(
                    SamplePhotos.COFFEE,
                    600,
                    400,
                    List.of(xy(290, 150), xy(120, 280), xy(360, 290)),
                    List.of(xy(30, 30), xy(570, 350), xy(560, 30)));

    /** The photos the tests send: few, because IS-Net takes seconds per photo on a CPU. */
    static final Map<String, Photo> TESTED =
            Map.of(ASTRONAUT.name(), ASTRONAUT, CHELSEA.name(), CHELSEA, COFFEE.name(), COFFEE);

    private static Path model;

    private RealPhotos() {}

    /**
     * The default real model, fetched into the user's cache on first use (later runs download
     * nothing).
     */
    static synchronized Path model() throws Exception {
        if (model == null) {
            model =
                    new NpmModelFetcher(ModelCache.user(), System.err::println)
                            .fetch(FetchableModel.DEFAULT);
        }
        return model;
    }

    /**
     * Checks a mask PNG (8-bit grey, the photo's size) against the photo's points and its golden
     * mask.
     */
    static void checkMask(Photo photo, byte[] maskPng) throws IOException {
        BufferedImage mask = ImageIO.read(new ByteArrayInputStream(maskPng));
        assertThat(mask.getWidth()).as(photo.name() + " mask width").isEqualTo(photo.width());
        assertThat(mask.getHeight()).as(photo.name() + " mask height").isEqualTo(photo.height());
        for (int[] p : photo.subject()) {
            assertThat(alpha(mask, p[0], p[1]))
                    .as("%s subject at %d,%d", photo.name(), p[0], p[1])
                    .isGreaterThanOrEqualTo(0.9);
        }
        for (int[] p : photo.background()) {
            assertThat(alpha(mask, p[0], p[1]))
                    .as("%s background at %d,%d", photo.name(), p[0], p[1])
                    .isLessThanOrEqualTo(0.1);
        }
        float[][] actual = downscale(mask);
        float[][] golden = downscale(golden(photo));
        assertThat(actual.length).isEqualTo(golden.length);
        double sum = 0;
        int farOff = 0;
        int n = 0;
        for (int y = 0; y < golden.length; y++) {
            for (int x = 0; x < golden[y].length; x++) {
                double d = Math.abs(actual[y][x] - golden[y][x]);
                sum += d;
                farOff += d > 0.25 ? 1 : 0;
                n++;
            }
        }
        assertThat(sum / n)
                .as(photo.name() + ": mean difference from the golden mask")
                .isLessThanOrEqualTo(MAX_MEAN_DIFFERENCE);
        assertThat((double) farOff / n)
                .as(photo.name() + ": share of pixels far from the golden mask")
                .isLessThanOrEqualTo(MAX_FAR_OFF_SHARE);
    }

    static double alpha(BufferedImage mask, int x, int y) {
        return (mask.getRaster().getSample(x, y, 0)) / 255.0;
    }

    /**
     * Box-averages a grey mask to {@value #GOLDEN_WIDTH} px wide (rows: same aspect), values 0..1.
     */
    static float[][] downscale(BufferedImage mask) {
        int w = GOLDEN_WIDTH;
        int h = Math.max(1, Math.round((float) mask.getHeight() * w / mask.getWidth()));
        float[][] out = new float[h][w];
        for (int y = 0; y < h; y++) {
            int y0 = y * mask.getHeight() / h;
            int y1 = Math.max(y0 + 1, (y + 1) * mask.getHeight() / h);
            for (int x = 0; x < w; x++) {
                int x0 = x * mask.getWidth() / w;
                int x1 = Math.max(x0 + 1, (x + 1) * mask.getWidth() / w);
                double sum = 0;
                for (int sy = y0; sy < y1; sy++) {
                    for (int sx = x0; sx < x1; sx++) {
                        sum += mask.getRaster().getSample(sx, sy, 0);
                    }
                }
                out[y][x] = (float) (sum / ((y1 - y0) * (x1 - x0) * 255.0));
            }
        }
        return out;
    }

    private static BufferedImage golden(Photo photo) throws IOException {
        try (InputStream in =
                RealPhotos.class.getResourceAsStream("/golden/" + photo.name() + "-mask.png")) {
            assertThat(in).as("golden mask of " + photo.name()).isNotNull();
            return ImageIO.read(in);
        }
    }

    /**
     * Writes a golden mask (downscaled) from a full-size mask PNG: run once, look at it, commit it.
     */
    static void writeGolden(BufferedImage fullMask, File file) throws IOException {
        float[][] small = downscale(fullMask);
        BufferedImage out =
                new BufferedImage(small[0].length, small.length, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < small.length; y++) {
            for (int x = 0; x < small[y].length; x++) {
                out.getRaster().setSample(x, y, 0, Math.round(small[y][x] * 255));
            }
        }
        ImageIO.write(out, "png", file);
    }

    private static int[] xy(int x, int y) {
        return new int[] {x, y};
    }
}
