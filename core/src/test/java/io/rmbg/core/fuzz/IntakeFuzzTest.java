package io.rmbg.core.fuzz;

import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.image.ImageDecoder;
import io.rmbg.core.image.ImageProbe;
import io.rmbg.core.image.RasterImage;
import io.rmbg.core.inference.ModelProfile;
import io.rmbg.core.inference.Preprocessor;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A seeded mutation fuzzer over the intake (sniff → header check → decode → preprocess): flipped
 * bits, overwritten header fields, truncations, splices and repeated chunks of valid images, and
 * structure-aware mutations per format (PNG chunk lengths, types and inserted compressed metadata;
 * JPEG APPn segments; BMP compression, size and profile fields; GIF frames and extensions). Every
 * input must end as a decoded image or a {@link ProcessingException}: no other exception, no hang,
 * no allocation beyond the pixel limit. Bounded in time, so it runs with every build.
 */
class IntakeFuzzTest {
    private static final long SEED = 20261120L;
    private static final Duration BUDGET = Duration.ofSeconds(12);
    private static final long MAX_PIXELS = 4_000_000;

    @Test
    void everyMutantEndsAsAnImageOrAProcessingException() throws Exception {
        List<byte[]> seeds = seeds();
        ImageDecoder decoder = new ImageDecoder(MAX_PIXELS);
        Preprocessor preprocessor = new Preprocessor(ModelProfile.named("u2net"));
        FloatBuffer tensor =
                ByteBuffer.allocateDirect(preprocessor.floatsPerImage() * 4)
                        .order(ByteOrder.nativeOrder())
                        .asFloatBuffer();
        Random random = new Random(SEED);
        Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
        long deadline = System.nanoTime() + BUDGET.toNanos();
        int runs = 0;
        while (System.nanoTime() < deadline) {
            byte[] mutant = mutate(seeds.get(random.nextInt(seeds.size())), random);
            byte[] input = mutant;
            Outcome outcome =
                    assertTimeoutPreemptively(
                            Duration.ofSeconds(5),
                            () -> {
                                try {
                                    ImageProbe.probe(input);
                                    RasterImage image = decoder.decode(input);
                                    assertThat(image.pixels()).isLessThanOrEqualTo(MAX_PIXELS);
                                    preprocessor.pack(image, tensor, 0);
                                    return Outcome.DECODED;
                                } catch (ProcessingException e) {
                                    assertThat(e.getMessage()).isNotBlank();
                                    return Outcome.REJECTED;
                                }
                            },
                            () -> "a mutant took over 5 s; seed " + SEED);
            outcomes.merge(outcome, 1, Integer::sum);
            runs++;
        }
        System.out.println(
                "intake fuzz: " + runs + " mutants in " + BUDGET.toSeconds() + " s: " + outcomes);
        assertThat(runs).isGreaterThan(200);
        assertThat(outcomes).containsKeys(Outcome.DECODED, Outcome.REJECTED);
    }

    private enum Outcome {
        DECODED,
        REJECTED
    }

    private static byte[] mutate(byte[] seed, Random r) {
        byte[] b = seed.clone();
        if (r.nextInt(3) == 0) {
            return StructureMutations.mutate(b, r);
        }
        switch (r.nextInt(6)) {
            case 0 -> { // flip a few bits
                for (int i = 0, n = 1 + r.nextInt(8); i < n; i++) {
                    b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> { // overwrite header bytes (sizes, types, lengths live there)
                for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) {
                    b[r.nextInt(Math.min(64, b.length))] = (byte) r.nextInt(256);
                }
            }
            case 2 -> b = java.util.Arrays.copyOf(b, 1 + r.nextInt(b.length)); // truncate
            case 3 -> { // splice the tail of another region in
                int at = r.nextInt(b.length);
                int from = r.nextInt(b.length);
                System.arraycopy(b, from, b, at, Math.min(b.length - at, b.length - from) / 2);
            }
            case 4 -> { // repeat a chunk (duplicated segments and chunks)
                int at = r.nextInt(b.length);
                int len = Math.min(b.length - at, 1 + r.nextInt(256));
                byte[] longer = new byte[b.length + len];
                System.arraycopy(b, 0, longer, 0, at + len);
                System.arraycopy(b, at, longer, at + len, b.length - at);
                b = longer;
            }
            default -> { // big numbers into 32-bit fields near the start
                if (b.length > 28) {
                    ByteBuffer.wrap(b)
                            .putInt(8 + 4 * r.nextInt(5), r.nextBoolean() ? 50_000 : r.nextInt());
                }
            }
        }
        return b;
    }

    private static List<byte[]> seeds() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(encode(picture(64, 48, BufferedImage.TYPE_INT_RGB), "jpg"));
        seeds.add(encode(picture(40, 30, BufferedImage.TYPE_INT_ARGB), "png"));
        seeds.add(encode(picture(33, 17, BufferedImage.TYPE_BYTE_GRAY), "png"));
        seeds.add(encode(picture(32, 32, BufferedImage.TYPE_BYTE_INDEXED), "gif"));
        seeds.add(encode(picture(24, 20, BufferedImage.TYPE_INT_RGB), "bmp"));
        seeds.add(encode(picture(16, 16, BufferedImage.TYPE_USHORT_GRAY), "png"));
        seeds.add(StructureMutations.rgba16Png(20, 14)); // takes the streaming 16-bit decoder
        seeds.add(encode(picture(24, 20, BufferedImage.TYPE_BYTE_INDEXED), "png"));
        seeds.add(encode(picture(24, 20, BufferedImage.TYPE_BYTE_INDEXED), "bmp"));
        return seeds;
    }

    private static BufferedImage picture(int w, int h, int type) {
        BufferedImage img = new BufferedImage(w, h, type);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(40, 90, 210, 200));
        g.fillRect(0, 0, w, h);
        g.setColor(new Color(220, 60, 40));
        g.fillOval(w / 4, h / 4, w / 2, h / 2);
        g.dispose();
        return img;
    }

    private static byte[] encode(BufferedImage img, String format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(img, format, out)).isTrue();
        return out.toByteArray();
    }
}
