package io.rmbg.local;

import javax.imageio.ImageIO;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Sample images drawn for the colour-key demo model: a warm (red) subject on a cool (blue)
 * background, so the demo's cut-outs show exactly which pixels the model keeps.
 */
public final class SampleImages {
    public static final Color SUBJECT = new Color(220, 60, 40);
    public static final Color BACKGROUND = new Color(40, 90, 210);

    private SampleImages() {}

    /** A red disc of radius {@code min(w,h)/3} centred on a blue background. */
    public static BufferedImage disc(int width, int height, int type) {
        BufferedImage img = new BufferedImage(width, height, type);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
        g.setColor(BACKGROUND);
        g.fillRect(0, 0, width, height);
        g.setColor(SUBJECT);
        int r = Math.min(width, height) / 3;
        g.fillOval(width / 2 - r, height / 2 - r, 2 * r, 2 * r);
        g.dispose();
        return img;
    }

    /** Whether pixel (x, y) of {@link #disc} lies well inside the disc (away from its edge). */
    public static boolean insideDisc(int width, int height, int x, int y, double margin) {
        double r = Math.min(width, height) / 3.0;
        double dx = x + 0.5 - width / 2.0;
        double dy = y + 0.5 - height / 2.0;
        return Math.sqrt(dx * dx + dy * dy) < r - margin;
    }

    /** Whether pixel (x, y) of {@link #disc} lies well outside the disc. */
    public static boolean outsideDisc(int width, int height, int x, int y, double margin) {
        double r = Math.min(width, height) / 3.0;
        double dx = x + 0.5 - width / 2.0;
        double dy = y + 0.5 - height / 2.0;
        return Math.sqrt(dx * dx + dy * dy) > r + margin;
    }

    public static byte[] jpeg(int width, int height) {
        return encode(disc(width, height, BufferedImage.TYPE_INT_RGB), "jpg");
    }

    public static byte[] png(int width, int height) {
        return encode(disc(width, height, BufferedImage.TYPE_INT_RGB), "png");
    }

    /** A disc PNG with an alpha channel whose left quarter is fully transparent. */
    public static byte[] pngWithAlpha(int width, int height) {
        BufferedImage img = disc(width, height, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width / 4; x++) {
                img.setRGB(x, y, img.getRGB(x, y) & 0x00FFFFFF);
            }
        }
        return encode(img, "png");
    }

    public static byte[] greyscalePng(int width, int height) {
        return encode(disc(width, height, BufferedImage.TYPE_BYTE_GRAY), "png");
    }

    public static byte[] bmp(int width, int height) {
        return encode(disc(width, height, BufferedImage.TYPE_INT_RGB), "bmp");
    }

    public static byte[] gif(int width, int height) {
        return encode(disc(width, height, BufferedImage.TYPE_BYTE_INDEXED), "gif");
    }

    static byte[] encode(BufferedImage img, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(img, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
