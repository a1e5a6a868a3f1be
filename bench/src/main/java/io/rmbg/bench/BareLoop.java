package io.rmbg.bench;

import io.rmbg.core.blob.ContentAddress;
import io.rmbg.core.compose.Compositor;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.image.AlphaMask;
import io.rmbg.core.image.FastPngEncoder;
import io.rmbg.core.image.FixedPointMaskResizer;
import io.rmbg.core.image.ImageDecoder;
import io.rmbg.core.image.RasterImage;
import io.rmbg.core.inference.Preprocessor;
import io.rmbg.core.inference.SegmentationModel;
import io.rmbg.core.process.DecodedImage;
import io.rmbg.core.process.ImageLimits;
import io.rmbg.core.process.JobProcessor;
import io.rmbg.core.process.SegmentedImage;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The work of jobs without Flink, on this thread. Two ways to run it:
 *
 * <ul>
 *   <li>{@link #stages}: one job stage by stage, each timed on its own: decode → preprocess → infer
 *       → mask → two PNGs (the cut-out composed inside its PNG) → SHA-256 of the three blobs (the
 *       store itself is skipped). Written out here because the product's stages do not stop between
 *       these steps; it measures, it is not the recipe;
 *   <li>{@link #sequential}: a plain loop over the product's own stages ({@link JobProcessor}), a
 *       batch at a time, nothing overlapped: what a script calling the engine's parts does.
 * </ul>
 *
 * The overlapped run is the engine itself without Flink ({@link EngineRun}).
 */
final class BareLoop {
    private final SegmentationModel model;
    private final List<byte[]> jpegs;
    private final ImageDecoder decoder = new ImageDecoder(ImageLimits.DEFAULT_MAX_PIXELS);

    BareLoop(SegmentationModel model, List<byte[]> jpegs) {
        this.model = model;
        this.jpegs = jpegs;
    }

    /** Mean wall milliseconds per image of each stage, batch 1, one thread. */
    record StageMs(
            double decode,
            double preprocess,
            double inference,
            double postprocess,
            double encode,
            double store) {
        double total() {
            return decode + preprocess + inference + postprocess + encode + store;
        }
    }

    StageMs stages(int images) throws ProcessingException {
        FloatBuffer buffer = model.newInputBuffer(1);
        long[] t = new long[6];
        for (int i = 0; i < images; i++) {
            byte[] jpeg = jpegs.get(i % jpegs.size());
            long t0 = System.nanoTime();
            RasterImage image = decoder.decode(jpeg);
            long t1 = System.nanoTime();
            model.newPreprocessor().pack(image, buffer, 0);
            long t2 = System.nanoTime();
            float[] map = model.inferPacked(buffer, 0, 1)[0];
            long t3 = System.nanoTime();
            model.activate(map);
            // As JobProcessor.finish: the integer mask resize.
            AlphaMask mask =
                    FixedPointMaskResizer.toMask(
                            map,
                            model.inputWidth(),
                            model.inputHeight(),
                            image.width(),
                            image.height(),
                            OptionalDouble.empty());
            long t4 = System.nanoTime();
            // As JobProcessor.finish: the cut-out is composed row by row inside its PNG.
            byte[] maskPng = FastPngEncoder.fastGray(mask);
            byte[] cutOutPng = Compositor.cutOutPng(image, mask);
            long t5 = System.nanoTime();
            hash(jpeg, maskPng, cutOutPng);
            long t6 = System.nanoTime();
            t[0] += t1 - t0;
            t[1] += t2 - t1;
            t[2] += t3 - t2;
            t[3] += t4 - t3;
            t[4] += t5 - t4;
            t[5] += t6 - t5;
        }
        double n = images * 1e6;
        return new StageMs(t[0] / n, t[1] / n, t[2] / n, t[3] / n, t[4] / n, t[5] / n);
    }

    /**
     * Images per second of the plain loop, a batch at a time on this thread: each image through
     * {@link JobProcessor#intake} (read from the in-memory store, decode, store the original), the
     * batch through the model, each image through {@link JobProcessor#finish} (mask, cut-out, PNGs,
     * store): the product's stages, with nothing overlapped.
     */
    double sequential(List<String> uris, int images, int batch) throws ProcessingException {
        JobProcessor processor = new JobProcessor(new BenchBlobStore(), ImageLimits.defaults());
        Preprocessor preprocessor = model.newPreprocessor();
        FloatBuffer buffer = model.newInputBuffer(batch);
        long start = System.nanoTime();
        for (int done = 0; done < images; ) {
            int n = Math.min(batch, images - done);
            List<DecodedImage> decoded = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                DecodedImage image =
                        processor.intake(
                                BenchEvents.event(done + i, uris), System.currentTimeMillis());
                preprocessor.pack(image.image(), buffer, i);
                decoded.add(image);
            }
            long t0 = System.nanoTime();
            float[][] maps = model.inferPacked(buffer, 0, n);
            long inferenceMs = (System.nanoTime() - t0) / 1_000_000;
            for (int i = 0; i < n; i++) {
                model.activate(maps[i]);
                processor.finish(
                        new SegmentedImage(
                                decoded.get(i),
                                maps[i],
                                model.inputWidth(),
                                model.inputHeight(),
                                model.profile().name(),
                                model.modelVersion(),
                                inferenceMs));
            }
            done += n;
        }
        return images / ((System.nanoTime() - start) / 1e9);
    }

    private static void hash(byte[]... blobs) {
        for (byte[] blob : blobs) {
            ContentAddress.sha256Hex(blob);
        }
    }
}
