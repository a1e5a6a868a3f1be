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
 * cut-out composed inside its PNG) store different bytes that decode to the same pixels.
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

        assertThat(pixels(fresh.mask().uri())).isEqualTo(pixels(legacy.mask().uri()));
        assertThat(pixels(fresh.processed().uri())).isEqualTo(pixels(legacy.processed().uri()));
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
