package io.rmbg.core.image;

import org.junit.jupiter.api.Test;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class DecodeCostTest {

    private static final long MP = 1_000_000;

    @Test
    void coversWhatDecodingReallyAllocates() throws Exception {
        BufferedImage rgb = TestImages.quadrants(1200, 900, BufferedImage.TYPE_INT_RGB);
        BufferedImage argb = TestImages.quadrants(1200, 900, BufferedImage.TYPE_INT_ARGB);
        int[] samples = new int[1200 * 900 * 4];
        Arrays.fill(samples, 0x7777);
        byte[][] images = {
            TestImages.jpeg(rgb),
            progressiveJpeg(rgb),
            TestImages.encode(argb, "png"),
            TestImages.encode(TestImages.rgb16(1200, 900, true, samples), "png"),
            TestImages.encode(TestImages.indexed(1200, 900, 8, TestImages.GIF_PALETTE), "gif"),
            TestImages.encode(rgb, "bmp"),
        };
        ImageDecoder decoder = new ImageDecoder(50 * MP);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        for (byte[] image : images) {
            ImageInfo info = ImageProbe.probe(image);
            long before = threads.getThreadAllocatedBytes(thread);
            decoder.decode(image);
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            assertThat(DecodeCost.peakBytes(info)).as("%s", info).isGreaterThanOrEqualTo(allocated);
        }
    }

    @Test
    void chargesForTheLayoutTheHeaderGives() {
        int side = 7000;
        ImageInfo png16 = new ImageInfo(ImageFormat.PNG, side, side, 16, 4, false);
        ImageInfo png16Interlaced = new ImageInfo(ImageFormat.PNG, side, side, 16, 4, true);
        ImageInfo png8 = new ImageInfo(ImageFormat.PNG, side, side, 8, 4, false);
        long argb = 4L * side * side;
        assertThat(DecodeCost.peakBytes(png16)).isBetween(argb, argb + (32L << 20));
        assertThat(DecodeCost.peakBytes(png16Interlaced)).isGreaterThanOrEqualTo(3 * argb);
        assertThat(DecodeCost.peakBytes(png8)).isGreaterThanOrEqualTo(2 * argb);

        ImageInfo baseline = new ImageInfo(ImageFormat.JPEG, side, side, 8, 3, false);
        ImageInfo progressive = new ImageInfo(ImageFormat.JPEG, side, side, 8, 3, true);
        assertThat(DecodeCost.peakBytes(progressive)).isGreaterThan(DecodeCost.peakBytes(baseline));

        for (ImageFormat format : ImageFormat.values()) {
            ImageInfo unknown = new ImageInfo(format, side, side);
            assertThat(DecodeCost.peakBytes(unknown))
                    .as("unknown %s layout costs at least any known one", format)
                    .isGreaterThanOrEqualTo(2 * argb)
                    .isGreaterThanOrEqualTo(
                            format == ImageFormat.JPEG ? DecodeCost.peakBytes(progressive) : 0);
        }
        assertThat(
                        DecodeCost.peakBytes(
                                new ImageInfo(
                                        ImageFormat.BMP, Integer.MAX_VALUE, Integer.MAX_VALUE)))
                .isEqualTo(Long.MAX_VALUE);
    }

    private static byte[] progressiveJpeg(BufferedImage img) throws Exception {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            writer.write(null, new IIOImage(img, null, null), param);
        } finally {
            writer.dispose();
        }
        byte[] bytes = out.toByteArray();
        assertThat(ImageProbe.probe(bytes).interlaced()).as("written progressive").isTrue();
        return bytes;
    }
}
