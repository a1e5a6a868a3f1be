package io.rmbg.bench;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;

/**
 * Photo-like JPEGs made in code: a reddish, textured subject on a bluish gradient with sensor-like
 * noise, so files have a realistic size (a few hundred KB at 1080p, quality 0.9) and the demo
 * colour-key model finds a subject. Seeded: the same index always gives the same bytes.
 */
final class SyntheticPhotos {
    private static final float JPEG_QUALITY = 0.9f;

    private SyntheticPhotos() {}

    static byte[] jpeg(int width, int height, int index) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] px = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        SplittableRandom random = new SplittableRandom(0xBE7C4L + index);
        double cx = width * (0.35 + 0.3 * random.nextDouble());
        double cy = height * (0.4 + 0.2 * random.nextDouble());
        double rx = width * (0.15 + 0.1 * random.nextDouble());
        double ry = height * (0.25 + 0.1 * random.nextDouble());
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double dx = (x - cx) / rx;
                double dy = (y - cy) / ry;
                boolean subject = dx * dx + dy * dy < 1.0;
                int noise = random.nextInt(25) - 12;
                int r;
                int g;
                int b;
                if (subject) {
                    int stripe = ((x / 7 + y / 11) & 1) * 25; // texture for the encoder to work on
                    r = 190 + stripe + noise;
                    g = 70 + (int) (40 * dy) + noise;
                    b = 50 + noise;
                } else {
                    r = 40 + 30 * x / width + noise;
                    g = 90 + 60 * y / height + noise;
                    b = 170 + 60 * x / width + noise;
                }
                px[y * width + x] = clamp(r) << 16 | clamp(g) << 8 | clamp(b);
            }
        }
        return encode(image);
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    private static byte[] encode(BufferedImage image) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(JPEG_QUALITY);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
