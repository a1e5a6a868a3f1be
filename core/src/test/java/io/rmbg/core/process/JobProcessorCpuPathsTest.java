package io.rmbg.core.process;

import io.rmbg.core.blob.InMemoryBlobStore;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.ImageParams;
import io.rmbg.core.records.JobResult;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.imageio.ImageIO;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;

import static io.rmbg.core.process.TestJobs.inline;
import static io.rmbg.core.process.TestJobs.read;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark's old CPU path ({@link JobProcessor#LEGACY_CPU_PATH}: ImageIO decoding, zlib PNGs
 * of a whole cut-out) and the product's path (libjpeg-turbo where present, the fast PNG writer, the
 * cut-out composed inside its PNG, the integer mask resize) store different bytes that decode to
 * the same pixels, up to the integer mask resize's one grey level of alpha (FixedPointMaskResizer).
 */
class JobProcessorCpuPathsTest {
    /** A soft 4x4 map: every alpha from clear to opaque after the upscale. */
    private static final float[] SOFT = {
        0f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 1f, 1f, 0f, 0f, 0.5f, 1f
    };

    @ParameterizedTest
    @ValueSource(strings = {"", "#00FF00"})
    void oldAndNewPathsStoreTheSamePixels(String background) throws Exception {
        ImageParams params =
                new ImageParams(null, null, background.isEmpty() ? null : background, false);
        byte[] jpeg = noisyJpeg(321, 173);

        JobResult fresh = run(jpeg, params, false);
        JobResult legacy = run(jpeg, params, true);

        int[] freshMask = greyLevels(fresh.mask().uri());
        int[] legacyMask = greyLevels(legacy.mask().uri());
        assertThat(maxChannelDiff(freshMask, legacyMask)).as("mask").isLessThanOrEqualTo(1);
        int[] freshOut = pixels(fresh.processed().uri());
        int[] legacyOut = pixels(legacy.processed().uri());
        for (int i = 0; i < freshOut.length; i++) {
            int a = freshOut[i];
            int b = legacyOut[i];
            if (background.isEmpty()) {
                // alpha one level apart at most; where both show the pixel, its colour is equal
                assertThat(Math.abs((a >>> 24) - (b >>> 24))).as("alpha at %d", i).isLessThan(2);
                if ((a >>> 24) > 0 && (b >>> 24) > 0) {
                    assertThat(a & 0xFFFFFF).as("colour at %d", i).isEqualTo(b & 0xFFFFFF);
                }
            } else {
                // one level of alpha moves a blend by at most one level, rounding by one more
                assertThat(maxChannelDiff(new int[] {a}, new int[] {b}))
                        .as("blend at %d", i)
                        .isLessThanOrEqualTo(2);
            }
        }
        assertThat(fresh.processed().width()).isEqualTo(321);
        assertThat(fresh.processed().height()).isEqualTo(173);
    }

    private static JobResult run(byte[] jpeg, ImageParams params, boolean legacy) throws Exception {
        if (legacy) {
            System.setProperty(JobProcessor.LEGACY_CPU_PATH, "true");
        }
        try {
            JobProcessor processor =
                    new JobProcessor(new RecordingBlobStore(), ImageLimits.defaults());
            ImageEvent event = inline("cpu-paths-" + legacy + params.background(), jpeg, params);
            DecodedImage decoded = processor.intake(event, event.receivedAtMillis());
            return processor.finish(
                    new SegmentedImage(decoded, SOFT.clone(), 4, 4, "test-profile", "v1", 1));
        } finally {
            System.clearProperty(JobProcessor.LEGACY_CPU_PATH);
        }
    }

    private static int maxChannelDiff(int[] a, int[] b) {
        assertThat(a).hasSameSizeAs(b);
        int max = 0;
        for (int i = 0; i < a.length; i++) {
            for (int shift = 0; shift < 32; shift += 8) {
                int d = Math.abs(((a[i] >>> shift) & 0xFF) - ((b[i] >>> shift) & 0xFF));
                max = Math.max(max, d);
            }
        }
        return max;
    }

    /** The grey PNG's samples as stored (getRGB would convert them to sRGB, magnifying steps). */
    private static int[] greyLevels(String uri) {
        BufferedImage img = read(InMemoryBlobStore.OBJECTS.get(uri));
        return img.getRaster().getSamples(0, 0, img.getWidth(), img.getHeight(), 0, (int[]) null);
    }

    private static int[] pixels(String uri) {
        BufferedImage img = read(InMemoryBlobStore.OBJECTS.get(uri));
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    private static byte[] noisyJpeg(int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(11);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (x * 255 / w) << 16 | (y * 255 / h) << 8 | random.nextInt(256));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "jpeg", out);
        return out.toByteArray();
    }
}
