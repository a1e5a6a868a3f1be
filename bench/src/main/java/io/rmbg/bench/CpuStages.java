package io.rmbg.bench;

import io.rmbg.core.blob.ContentAddress;
import io.rmbg.core.compose.Compositor;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.image.AlphaMask;
import io.rmbg.core.image.FastPngEncoder;
import io.rmbg.core.image.FixedPointMaskResizer;
import io.rmbg.core.image.ImageDecoder;
import io.rmbg.core.image.MaskResizer;
import io.rmbg.core.image.PngEncoder;
import io.rmbg.core.image.RasterImage;
import io.rmbg.core.inference.ModelProfile;
import io.rmbg.core.inference.Preprocessor;
import io.rmbg.core.process.ImageLimits;

import javax.imageio.ImageIO;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * CPU per stage of one job outside the model, in ms·core (this thread's CPU time), for the previous
 * path ("old": full cut-out image, Paeth + zlib level 2 PNGs) and the current one ("new": {@code
 * JobProcessor.finish}'s fast PNG path with the cut-out composed row by row) on the same images in
 * the same run, alternating image by image so both see the same JIT and machine state. The old path
 * also resamples in float ({@code Preprocessor.packFloat}, {@code MaskResizer}), the new one in
 * integers ({@code Preprocessor.pack}, {@code FixedPointMaskResizer}). It also checks that the new
 * path's PNGs decode (with ImageIO) to the pixels the zlib writer stores for the same mask, and how
 * far the model input and the mask of the two resampling paths differ.
 *
 * <p>Standalone: {@code java -cp … io.rmbg.bench.CpuStages [images] [plot.png]} runs it without a
 * model (a colour key computed in Java stands in for the model's probabilities).
 */
final class CpuStages {
    static final List<String> STAGES =
            List.of(
                    "decode",
                    "preprocess",
                    "mask resize",
                    "compose",
                    "mask PNG",
                    "cut-out PNG",
                    "SHA-256");

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Mean ms·core per image, per stage in {@link #STAGES} order. */
    record Result(
            int images,
            double[] oldMs,
            double[] newMs,
            long oldPngBytes,
            long newPngBytes,
            boolean identical,
            String jpegDecoder,
            int decodeMaxDiff,
            double decodeDiffShare,
            double inputMaxDiff,
            int maskMaxDiff,
            double maskDiffShare) {
        double oldTotal() {
            return Arrays.stream(oldMs).sum();
        }

        double newTotal() {
            return Arrays.stream(newMs).sum();
        }
    }

    private CpuStages() {}

    /** The model's activated output for the packed input; not timed. */
    @FunctionalInterface
    interface Probabilities {
        float[] of(FloatBuffer input) throws ProcessingException;
    }

    /**
     * @param probabilities the model's activated output (at the preprocessor's size) for an image;
     *     not timed
     */
    static Result measure(
            List<byte[]> jpegs, Preprocessor preprocessor, Probabilities probabilities, int images)
            throws ProcessingException, IOException {
        ImageDecoder oldDecoder = ImageDecoder.imageIoOnly(ImageLimits.DEFAULT_MAX_PIXELS);
        ImageDecoder newDecoder = new ImageDecoder(ImageLimits.DEFAULT_MAX_PIXELS);
        FloatBuffer input = preprocessor.newBuffer(1);
        double[] oldNs = new double[STAGES.size()];
        double[] newNs = new double[STAGES.size()];
        long oldBytes = 0;
        long newBytes = 0;
        boolean identical = true;
        for (int i = 0; i < images; i++) {
            byte[] jpeg = jpegs.get(i % jpegs.size());
            boolean oldFirst = i % 2 == 0;
            float[] map = null; // the model runs once per image, for both paths
            for (int pass = 0; pass < 2; pass++) {
                boolean old = oldFirst == (pass == 0);
                double[] ns = old ? oldNs : newNs;
                long t0 = cpu();
                RasterImage image = (old ? oldDecoder : newDecoder).decode(jpeg);
                long t1 = cpu();
                if (old) {
                    preprocessor.packFloat(image, input, 0);
                } else {
                    preprocessor.pack(image, input, 0);
                }
                long t2 = cpu();
                if (map == null) {
                    map = probabilities.of(input);
                }
                long t3 = cpu();
                AlphaMask mask = resizeMask(old, map, preprocessor, image);
                long t4 = cpu();
                byte[] maskPng;
                byte[] cutOutPng;
                long t5;
                long t6;
                if (old) {
                    RasterImage cutOut = Compositor.cutOut(image, mask);
                    t5 = cpu();
                    maskPng = PngEncoder.encodeGray(mask);
                    t6 = cpu();
                    cutOutPng = PngEncoder.encodeRgba(cutOut);
                } else {
                    t5 = cpu(); // composed inside the cut-out PNG
                    maskPng = FastPngEncoder.fastGray(mask);
                    t6 = cpu();
                    cutOutPng = Compositor.cutOutPng(image, mask);
                }
                long t7 = cpu();
                ContentAddress.sha256Hex(jpeg);
                ContentAddress.sha256Hex(maskPng);
                ContentAddress.sha256Hex(cutOutPng);
                long t8 = cpu();
                long[] d = {t1 - t0, t2 - t1, t4 - t3, t5 - t4, t6 - t5, t7 - t6, t8 - t7};
                for (int s = 0; s < d.length; s++) {
                    ns[s] += d[s];
                }
                if (old) {
                    oldBytes += maskPng.length + cutOutPng.length;
                } else {
                    newBytes += maskPng.length + cutOutPng.length;
                }
                if (i == 0 && !old) {
                    identical =
                            samePixels(maskPng, PngEncoder.encodeGray(mask))
                                    && samePixels(
                                            cutOutPng,
                                            PngEncoder.encodeRgba(Compositor.cutOut(image, mask)));
                }
            }
        }
        for (int s = 0; s < oldNs.length; s++) {
            oldNs[s] /= images * 1e6;
            newNs[s] /= images * 1e6;
        }
        // The decoders against each other, sample by sample, over every distinct input.
        int maxDiff = 0;
        long differing = 0;
        long samples = 0;
        for (byte[] jpeg : jpegs) {
            int[] a = oldDecoder.decode(jpeg).argb();
            int[] b = newDecoder.decode(jpeg).argb();
            for (int k = 0; k < a.length; k++) {
                for (int shift = 0; shift < 32; shift += 8) {
                    int d = Math.abs(((a[k] >>> shift) & 0xFF) - ((b[k] >>> shift) & 0xFF));
                    maxDiff = Math.max(maxDiff, d);
                    differing += d == 0 ? 0 : 1;
                }
            }
            samples += 4L * a.length;
        }
        // The integer resamplers against the float ones (the old path), on every distinct input.
        double inputMaxDiff = 0;
        int maskMaxDiff = 0;
        long maskDiffering = 0;
        long maskSamples = 0;
        FloatBuffer floatInput = preprocessor.newBuffer(1);
        for (byte[] jpeg : jpegs) {
            RasterImage image = newDecoder.decode(jpeg);
            preprocessor.packFloat(image, floatInput, 0);
            preprocessor.pack(image, input, 0);
            for (int k = 0; k < preprocessor.floatsPerImage(); k++) {
                inputMaxDiff = Math.max(inputMaxDiff, Math.abs(floatInput.get(k) - input.get(k)));
            }
            float[] map = probabilities.of(floatInput);
            byte[] a = resizeMask(true, map, preprocessor, image).alpha();
            byte[] b = resizeMask(false, map, preprocessor, image).alpha();
            for (int k = 0; k < a.length; k++) {
                int d = Math.abs((a[k] & 0xFF) - (b[k] & 0xFF));
                maskMaxDiff = Math.max(maskMaxDiff, d);
                maskDiffering += d == 0 ? 0 : 1;
            }
            maskSamples += a.length;
        }
        return new Result(
                images,
                oldNs,
                newNs,
                oldBytes / images,
                newBytes / images,
                identical,
                newDecoder.jpegDecoder(),
                maxDiff,
                (double) differing / samples,
                inputMaxDiff,
                maskMaxDiff,
                (double) maskDiffering / maskSamples);
    }

    /** The old path's float mask resize, or the new path's integer one. */
    private static AlphaMask resizeMask(
            boolean old, float[] map, Preprocessor preprocessor, RasterImage image) {
        return old
                ? MaskResizer.toMask(
                        map,
                        preprocessor.width(),
                        preprocessor.height(),
                        image.width(),
                        image.height(),
                        OptionalDouble.empty())
                : FixedPointMaskResizer.toMask(
                        map,
                        preprocessor.width(),
                        preprocessor.height(),
                        image.width(),
                        image.height(),
                        OptionalDouble.empty());
    }

    static void print(Result r, PrintStream out) {
        out.println(
                String.format(
                        Locale.ROOT,
                        "CPU stages, old vs new path (ms·core per image: this thread's CPU time, one"
                                + " thread, mean of %d, %d cores on the machine):",
                        r.images(),
                        Runtime.getRuntime().availableProcessors()));
        for (int s = 0; s < STAGES.size(); s++) {
            out.println(
                    String.format(
                            Locale.ROOT,
                            "  %-12s old %6.1f | new %6.1f",
                            STAGES.get(s),
                            r.oldMs()[s],
                            r.newMs()[s]));
        }
        out.println(
                String.format(
                        Locale.ROOT,
                        "  %-12s old %6.1f | new %6.1f  (new/old %.2f)",
                        "total",
                        r.oldTotal(),
                        r.newTotal(),
                        r.newTotal() / r.oldTotal()));
        out.println(
                String.format(
                        Locale.ROOT,
                        "  PNG bytes per image (mask + cut-out): old %d | new %d (%+.1f %%);"
                                + " decoded pixels identical: %s",
                        r.oldPngBytes(),
                        r.newPngBytes(),
                        100.0 * (r.newPngBytes() - r.oldPngBytes()) / r.oldPngBytes(),
                        r.identical() ? "yes" : "NO"));
        out.println(
                String.format(
                        Locale.ROOT,
                        "  JPEG decoder: old ImageIO | new %s; decoded samples differ by at most %d"
                                + " (%.3f %% of samples differ)",
                        r.jpegDecoder(),
                        r.decodeMaxDiff(),
                        100 * r.decodeDiffShare()));
        out.println(
                String.format(
                        Locale.ROOT,
                        "  resampling: old float | new integer; model input differs by at most"
                                + " %.1e (tolerance %.0e), mask by at most %d grey level(s)"
                                + " (%.3f %% of pixels differ)",
                        r.inputMaxDiff(),
                        Preprocessor.TOLERANCE,
                        r.maskMaxDiff(),
                        100 * r.maskDiffShare()));
    }

    /** Writes the per-stage bar chart. */
    static void plot(Result r, Path file) throws IOException {
        List<String> labels = new ArrayList<>(STAGES);
        labels.add("total");
        double[] oldMs = Arrays.copyOf(r.oldMs(), labels.size());
        double[] newMs = Arrays.copyOf(r.newMs(), labels.size());
        oldMs[labels.size() - 1] = r.oldTotal();
        newMs[labels.size() - 1] = r.newTotal();
        Plots.groupedBars(
                "CPU per 1080p image outside the model (ms·core)",
                labels,
                List.of("old", "new"),
                List.of(oldMs, newMs),
                file);
    }

    private static boolean samePixels(byte[] pngA, byte[] pngB) throws IOException {
        BufferedImage a = ImageIO.read(new ByteArrayInputStream(pngA));
        BufferedImage b = ImageIO.read(new ByteArrayInputStream(pngB));
        if (a == null || b == null) {
            return false;
        }
        int w = a.getWidth();
        int h = a.getHeight();
        return w == b.getWidth()
                && h == b.getHeight()
                && Arrays.equals(
                        a.getRGB(0, 0, w, h, null, 0, w), b.getRGB(0, 0, w, h, null, 0, w));
    }

    private static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    /** The stages without a model: a reddish-subject colour key stands in for the model. */
    public static void main(String[] args) throws Exception {
        int images = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Path plot = Path.of(args.length > 1 ? args[1] : "bench/target/cpu-stages.png");
        List<byte[]> jpegs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            jpegs.add(SyntheticPhotos.jpeg(1920, 1080, i));
        }
        Preprocessor preprocessor = new Preprocessor(ModelProfile.RMBG_2_0);
        Probabilities key = buffer -> colourKey(buffer, preprocessor);
        measure(jpegs, preprocessor, key, 4); // warm-up
        Result r = measure(jpegs, preprocessor, key, images);
        print(r, System.out);
        plot(r, plot);
        System.out.println("plot: " + plot);
    }

    /** 1 where the normalised input is reddish (the synthetic subject), 0 elsewhere. */
    private static float[] colourKey(FloatBuffer input, Preprocessor p) {
        int n = p.width() * p.height();
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            float r = input.get(i);
            float b = input.get(2 * n + i);
            out[i] = r > b ? 1f : 0f;
        }
        return out;
    }
}
