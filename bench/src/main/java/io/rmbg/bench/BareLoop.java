package io.rmbg.bench;

import io.rmbg.core.blob.ContentAddress;
import io.rmbg.core.compose.Compositor;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.image.AlphaMask;
import io.rmbg.core.image.ImageDecoder;
import io.rmbg.core.image.MaskResizer;
import io.rmbg.core.image.PngEncoder;
import io.rmbg.core.image.RasterImage;
import io.rmbg.core.inference.SegmentationModel;
import io.rmbg.core.process.ImageLimits;

import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;

/**
 * The work of one job without Flink: decode → preprocess → infer → mask and cut-out → two PNGs →
 * SHA-256 of the three blobs (the store itself is skipped). Three ways to run it: stage by stage
 * (to time each), as a plain sequential loop (what a script calling the model does), and as an
 * overlapped loop (a CPU pool prepares the next batch and finishes the last while this thread runs
 * the model), the best a hand-written in-process program does with the same threads.
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
            AlphaMask mask =
                    MaskResizer.toMask(
                            map,
                            model.inputWidth(),
                            model.inputHeight(),
                            image.width(),
                            image.height(),
                            OptionalDouble.empty());
            RasterImage cutOut = Compositor.cutOut(image, mask);
            long t4 = System.nanoTime();
            byte[] maskPng = PngEncoder.encodeGray(mask);
            byte[] cutOutPng = PngEncoder.encodeRgba(cutOut);
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

    /** Images per second of the plain loop: each batch decoded, run and finished in turn. */
    double sequential(int images, int batch) throws ProcessingException {
        FloatBuffer buffer = model.newInputBuffer(batch);
        long start = System.nanoTime();
        for (int done = 0; done < images; ) {
            int n = Math.min(batch, images - done);
            List<RasterImage> decoded = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                RasterImage image = decoder.decode(jpegs.get((done + i) % jpegs.size()));
                model.newPreprocessor().pack(image, buffer, i);
                decoded.add(image);
            }
            float[][] maps = model.inferPacked(buffer, 0, n);
            for (int i = 0; i < n; i++) {
                finish(jpegs.get((done + i) % jpegs.size()), decoded.get(i), maps[i]);
            }
            done += n;
        }
        return images / ((System.nanoTime() - start) / 1e9);
    }

    /** Result of {@link #overlapped}: throughput and the CPU split over the run. */
    record Overlapped(double imagesPerSecond, ProcessMeter.Sample start, ProcessMeter.Sample end) {}

    /**
     * Images per second with preparation and finishing on {@code pool}, overlapping this thread's
     * inference; two input buffers alternate.
     */
    Overlapped overlapped(int images, int batch, ExecutorService pool) throws ProcessingException {
        FloatBuffer[] buffers = {model.newInputBuffer(batch), model.newInputBuffer(batch)};
        String modelThread = Thread.currentThread().getName();
        ProcessMeter.Sample start = ProcessMeter.sample(modelThread::equals);
        long t0 = System.nanoTime();
        int chunks = (images + batch - 1) / batch;
        CompletableFuture<List<RasterImage>> next =
                prepare(0, Math.min(batch, images), buffers[0], pool);
        Deque<CompletableFuture<Void>> finishing = new ArrayDeque<>();
        for (int k = 0; k < chunks; k++) {
            int first = k * batch;
            int n = Math.min(batch, images - first);
            List<RasterImage> decoded = join(next);
            if (k + 1 < chunks) {
                int nextFirst = first + n;
                next =
                        prepare(
                                nextFirst,
                                Math.min(batch, images - nextFirst),
                                buffers[(k + 1) % 2],
                                pool);
            }
            float[][] maps = model.inferPacked(buffers[k % 2], 0, n);
            List<CompletableFuture<Void>> done = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                byte[] jpeg = jpegs.get((first + i) % jpegs.size());
                RasterImage image = decoded.get(i);
                float[] map = maps[i];
                done.add(CompletableFuture.runAsync(() -> finish(jpeg, image, map), pool));
            }
            finishing.add(CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)));
            while (finishing.size() > 2) { // bound the maps and images held
                join(finishing.poll());
            }
        }
        finishing.forEach(BareLoop::join);
        double rate = images / ((System.nanoTime() - t0) / 1e9);
        return new Overlapped(rate, start, ProcessMeter.sample(modelThread::equals));
    }

    private CompletableFuture<List<RasterImage>> prepare(
            int first, int n, FloatBuffer buffer, ExecutorService pool) {
        List<CompletableFuture<RasterImage>> parts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int index = i;
            byte[] jpeg = jpegs.get((first + i) % jpegs.size());
            parts.add(
                    CompletableFuture.supplyAsync(
                            () -> {
                                try {
                                    RasterImage image = decoder.decode(jpeg);
                                    model.newPreprocessor().pack(image, buffer, index);
                                    return image;
                                } catch (ProcessingException e) {
                                    throw new CompletionException(e);
                                }
                            },
                            pool));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                .thenApply(v -> parts.stream().map(CompletableFuture::join).toList());
    }

    private void finish(byte[] jpeg, RasterImage image, float[] map) {
        try {
            model.activate(map);
        } catch (ProcessingException e) {
            throw new CompletionException(e);
        }
        AlphaMask mask =
                MaskResizer.toMask(
                        map,
                        model.inputWidth(),
                        model.inputHeight(),
                        image.width(),
                        image.height(),
                        OptionalDouble.empty());
        RasterImage cutOut = Compositor.cutOut(image, mask);
        hash(jpeg, PngEncoder.encodeGray(mask), PngEncoder.encodeRgba(cutOut));
    }

    private static void hash(byte[]... blobs) {
        for (byte[] blob : blobs) {
            ContentAddress.sha256Hex(blob);
        }
    }

    private static <T> T join(CompletableFuture<T> future) {
        return future.join();
    }
}
