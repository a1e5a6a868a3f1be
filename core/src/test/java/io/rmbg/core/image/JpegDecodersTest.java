package io.rmbg.core.image;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static io.rmbg.core.image.Failures.failure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The default decoder (libjpeg-turbo where the machine has it, see {@link TurboJpeg}) and the
 * ImageIO-only fallback must give the same pixels and the same errors. Where libjpeg-turbo is
 * missing both are ImageIO and this still holds; {@code .ci/run} installs it so CI compares the two
 * for real.
 */
class JpegDecodersTest {
    private static final long LIMIT = 50_000_000L;
    private final ImageDecoder preferred = new ImageDecoder(LIMIT);
    private final ImageDecoder imageIo = ImageDecoder.imageIoOnly(LIMIT);

    @ParameterizedTest
    @ValueSource(strings = {"astronaut.jpg", "chelsea.jpg", "coffee.jpg", "rocket.jpg"})
    void samplePhotosDecodeToTheSamePixels(String name) throws Exception {
        byte[] jpeg = Files.readAllBytes(Path.of("..", "samples", "photos", name));

        assertSamePixels(jpeg);
    }

    @Test
    void colourGreyProgressiveAndOddSizes() throws Exception {
        assertSamePixels(jpeg(photo(641, 359, BufferedImage.TYPE_INT_RGB), false, 0.9f));
        assertSamePixels(jpeg(photo(97, 31, BufferedImage.TYPE_BYTE_GRAY), false, 0.8f));
        assertSamePixels(jpeg(photo(300, 200, BufferedImage.TYPE_INT_RGB), true, 0.75f));
        assertSamePixels(TestImages.cmykJpeg(40, 30)); // 4 components: ImageIO for both
    }

    @Test
    void exifOrientationIsAppliedOnBothPaths() throws Exception {
        byte[] rotated =
                TestImages.withExifOrientation(
                        jpeg(photo(120, 80, BufferedImage.TYPE_INT_RGB), false, 0.9f), 6);

        RasterImage image = preferred.decode(rotated);

        assertThat(image.width()).isEqualTo(80);
        assertThat(image.height()).isEqualTo(120);
        assertSamePixels(rotated);
    }

    @Test
    void truncatedJpegFailsTheSameWayOnBothPaths() throws IOException {
        byte[] jpeg = jpeg(photo(200, 150, BufferedImage.TYPE_INT_RGB), false, 0.9f);
        byte[] truncated = Arrays.copyOf(jpeg, jpeg.length * 2 / 3);

        ProcessingException a = failure(() -> preferred.decode(truncated));
        ProcessingException b = failure(() -> imageIo.decode(truncated));

        assertThat(a.code()).isEqualTo(ErrorCode.IMAGE_DECODE);
        assertThat(a.getMessage()).isEqualTo(b.getMessage());
    }

    @Test
    void saysWhichDecoderItUses() {
        assertThat(imageIo.jpegDecoder()).isEqualTo("ImageIO");
        assertThat(preferred.jpegDecoder()).matches("libjpeg-turbo \\(.+\\)|ImageIO.*");
    }

    private void assertSamePixels(byte[] jpeg) throws ProcessingException {
        RasterImage a = preferred.decode(jpeg);
        RasterImage b = imageIo.decode(jpeg);
        assertThat(a.width()).isEqualTo(b.width());
        assertThat(a.height()).isEqualTo(b.height());
        assertThat(a.argb()).as(preferred.jpegDecoder() + " vs ImageIO").isEqualTo(b.argb());
    }

    /** Smooth gradients with noise: what a camera gives a JPEG encoder. */
    private static BufferedImage photo(int w, int h, int type) {
        BufferedImage img = new BufferedImage(w, h, type);
        Random random = new Random(w * 31L + h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = Math.min(255, 255 * x / w + random.nextInt(20));
                int g = Math.min(255, 255 * y / h + random.nextInt(20));
                int b = Math.min(255, 128 + random.nextInt(40));
                img.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return img;
    }

    private static byte[] jpeg(BufferedImage img, boolean progressive, float quality)
            throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            if (progressive) {
                param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            }
            writer.write(null, new IIOImage(img, null, null), param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
