package io.rmbg.core.process;

import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.ImageParams;

import javax.imageio.ImageIO;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.UUID;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Fixtures for the engine's tests: images the colour-key model reads (red is subject, blue is
 * background) and events carrying them.
 */
final class TestJobs {
    static final String USER = "alice";
    static final String PARAMS_JSON = "{\"note\":\"kept verbatim\"}";
    static final String[] TAGS = {"cat", "sofa"};

    private TestJobs() {}

    /** A PNG whose left half is red (subject) and right half blue (background). */
    static byte[] redLeftBlueRight(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.BLUE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.RED);
        g.fillRect(0, 0, width / 2, height);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static BufferedImage read(byte[] png) {
        try {
            return ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An event with {@code image} inline, entering the pipeline now. */
    static ImageEvent inline(String name, byte[] image) {
        return inline(name, image, ImageParams.DEFAULTS);
    }

    static ImageEvent inline(String name, byte[] image, ImageParams params) {
        long now = System.currentTimeMillis();
        return event(name, null, Base64.getEncoder().encodeToString(image), params, now);
    }

    /** An event naming {@code uri}, entering the pipeline now. */
    static ImageEvent fromUri(String name, String uri) {
        return event(name, uri, null, ImageParams.DEFAULTS, System.currentTimeMillis());
    }

    static ImageEvent event(
            String name, String uri, String base64, ImageParams params, long receivedAtMillis) {
        return new ImageEvent(
                jobId(name),
                USER,
                uri,
                base64,
                params,
                PARAMS_JSON,
                TAGS,
                receivedAtMillis - 5_000,
                receivedAtMillis,
                "test/0@" + name);
    }

    static String jobId(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(UTF_8)).toString();
    }

    static ImageParams model(String profile) {
        return new ImageParams(profile, null, null, false);
    }
}
