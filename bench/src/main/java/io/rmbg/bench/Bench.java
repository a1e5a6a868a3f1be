package io.rmbg.bench;

import io.rmbg.core.inference.ExecutionDevice;
import io.rmbg.core.inference.ModelProfile;
import io.rmbg.core.inference.Preprocessor;
import io.rmbg.core.inference.SegmentationModel;
import io.rmbg.core.process.JobProcessor;
import io.rmbg.core.process.ModelOptions;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Throughput benchmark of the background-removal path, printed, never asserted. Run it with {@code
 * bench/run.sh} (CPU) or {@code bench/run-gpu.sh} (CUDA); {@code --help} lists the options. With
 * {@code --soak} it runs the {@link Soak} instead.
 *
 * <ol>
 *   <li>writes the model ({@code conv}: a conv stack with a realistic cost and the colour key's
 *       mask, see {@link BenchModels}; {@code colour-key}: the demo model) and generates 1080p
 *       JPEGs in memory;
 *   <li>times each stage of one job on one thread (decode, preprocess, inference, postprocess, PNG
 *       encode, store = SHA-256 of the blobs, the upload itself skipped);
 *   <li>runs the in-process loops (no Flink) per batch size: sequential (the product's stages,
 *       {@code JobProcessor}, one batch after another on one thread) and overlapped (the engine
 *       itself, {@code BackgroundRemover}, with the Flink path's threads, batching and capacity);
 *   <li>runs the real {@code BackgroundRemovalFunction} in the async operator on a MiniCluster
 *       (parallelism 1, the same model and cores) per batch size, then once more over {@code
 *       --images} images for CPU per image and RSS;
 *   <li>ends with one line: {@code bench: pipeline_img_s=… bare_img_s=… efficiency=…
 *       cpu_ms_per_image=… rss_growth_pct=…}.
 * </ol>
 *
 * <p>{@code bare_img_s} is the best of the in-process loops over every batch size swept, so {@code
 * efficiency} is what the pipeline keeps of the same engine without Flink (or of the plain loop,
 * where that is faster). {@code cpu_ms_per_image} is process CPU outside the model (see {@link
 * ProcessMeter}) per image in the pipeline run.
 */
public final class Bench {
    private final PrintStream out;

    Bench(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        // The MiniCluster leaves non-daemon threads behind for a while; the figures are out.
        if (options.soak()) {
            System.exit(new Soak(System.out).run(options).passed() ? 0 : 1);
        }
        new Bench(System.out).run(options);
        System.exit(0);
    }

    /** Runs the benchmark and returns the final line (also printed). */
    String run(BenchOptions o) throws Exception {
        print(
                "rmbg-flink bench: %s model, %dx%d JPEG inputs, %d cores, device %s, java %s",
                o.model(),
                o.width(),
                o.height(),
                Runtime.getRuntime().availableProcessors(),
                o.device(),
                System.getProperty("java.version"));
        BenchInputs inputs = BenchInputs.prepare(o, out);
        Path modelFile = inputs.modelFile();
        ModelOptions modelOptions = inputs.modelOptions();
        List<String> uris = inputs.uris();
        TreeSet<Integer> sizes = new TreeSet<>(o.batchSizes());
        sizes.add(o.batchSize());
        int mainBatch;
        Map<Integer, double[]> bare = new LinkedHashMap<>();
        double bareCpuMs;
        CpuStages.Result cpuStages;
        try (SegmentationModel model =
                SegmentationModel.load(
                        modelFile,
                        ModelProfile.RMBG_2_0,
                        ExecutionDevice.parse(o.device()),
                        o.intraOpThreads())) {
            print(
                    "model: %s on %s, %s batch, loaded in %d ms",
                    model.modelVersion(),
                    model.executionProvider(),
                    model.dynamicBatch() ? "dynamic" : "fixed",
                    model.loadMillis());
            if (!model.dynamicBatch()) {
                sizes = new TreeSet<>(List.of(1));
            }
            mainBatch = Math.min(o.batchSize(), model.maxBatchSize());
            BareLoop loop = new BareLoop(model, inputs.jpegs());
            loop.stages(
                    o.model().equals("conv")
                            ? 3
                            : 8); // JIT and model warm-up: round 1 runs ~2x slower
            BareLoop.StageMs ms = loop.stages(stageImages(o));
            print("");
            print("per-stage ms per image (one thread, batch 1, mean of %d):", stageImages(o));
            print(
                    "  decode %.1f | preprocess %.1f | inference %.1f | postprocess (mask) %.1f"
                            + " | encode PNG (and compose) %.1f | store (SHA-256, in-memory) %.1f"
                            + " | total %.1f",
                    ms.decode(),
                    ms.preprocess(),
                    ms.inference(),
                    ms.postprocess(),
                    ms.encode(),
                    ms.store(),
                    ms.total());
            CpuStages.Probabilities modelOutput =
                    input -> {
                        float[] map = model.inferPacked(input, 0, 1)[0];
                        model.activate(map);
                        return map;
                    };
            Preprocessor preprocessor = model.newPreprocessor();
            CpuStages.measure(inputs.jpegs(), preprocessor, modelOutput, 2); // the new path's JIT
            cpuStages =
                    CpuStages.measure(inputs.jpegs(), preprocessor, modelOutput, cpuStageImages(o));
            print("");
            CpuStages.print(cpuStages, out);
            CpuStages.plot(cpuStages, plotDir(o).resolve("cpu-stages.png"));

            print("");
            print("bare in-process loop (no Flink), %d images per batch size:", o.sweepImages());
            double cpu = 0;
            for (int b : sizes) {
                double sequential = loop.sequential(uris, o.sweepImages(), b);
                EngineRun.Result overlapped =
                        EngineRun.run(uris, modelOptions, o, o.sweepImages(), b);
                double outside =
                        (overlapped.end().outsideInferenceCpuNanos()
                                        - overlapped.warm().outsideInferenceCpuNanos())
                                / 1e6
                                / (o.sweepImages() - FlinkRun.warmUp(o.sweepImages(), b));
                bare.put(b, new double[] {sequential, overlapped.imagesPerSecond()});
                if (b == mainBatch) {
                    cpu = outside;
                }
                print(
                        "  batch %2d: sequential %6.2f img/s | overlapped (BackgroundRemover, %d CPU + %d"
                                + " postprocess threads) %6.2f img/s | CPU outside inference %.1f ms/img%s",
                        b,
                        sequential,
                        o.cpuThreads(),
                        o.postprocessThreads(),
                        overlapped.imagesPerSecond(),
                        outside,
                        overlapped.failed() == 0
                                ? ""
                                : String.format(
                                        Locale.ROOT,
                                        "  [%d FAILED: %s]",
                                        overlapped.failed(),
                                        overlapped.firstFailure()));
            }
            bareCpuMs = cpu;
        }

        print("");
        print(
                "Flink path (MiniCluster, parallelism 1, async capacity %d, %d CPU + %d postprocess threads),"
                        + " %d images per batch size:",
                o.capacity(), o.cpuThreads(), o.postprocessThreads(), o.sweepImages());
        Map<Integer, Double> pipeline = new LinkedHashMap<>();
        for (int b : sizes) {
            FlinkRun.Result r = FlinkRun.run(uris, modelOptions, o, o.sweepImages(), b);
            pipeline.put(b, r.imagesPerSecond());
            double best = Math.max(bare.get(b)[0], bare.get(b)[1]);
            print(
                    "  batch %2d: %6.2f img/s (%.2f of the best bare loop)%s",
                    b, r.imagesPerSecond(), r.imagesPerSecond() / best, failures(r));
        }

        int warmUp = FlinkRun.warmUp(o.images(), mainBatch);
        int measured = o.images() - warmUp;
        print("");
        print(
                "main run with the old CPU path (-D%s=true): %d images at batch %d",
                JobProcessor.LEGACY_CPU_PATH, o.images(), mainBatch);
        FlinkRun.Result legacy;
        System.setProperty(JobProcessor.LEGACY_CPU_PATH, "true");
        try {
            legacy = FlinkRun.run(uris, modelOptions, o, o.images(), mainBatch);
        } finally {
            System.clearProperty(JobProcessor.LEGACY_CPU_PATH);
        }
        double legacyCpuMs =
                (legacy.end().outsideInferenceCpuNanos() - legacy.warm().outsideInferenceCpuNanos())
                        / 1e6
                        / measured;
        print(
                "  %.2f img/s over %d images; CPU per image: %.1f ms outside inference%s",
                legacy.imagesPerSecond(), measured, legacyCpuMs, failures(legacy));

        print("");
        print("main run: %d images at batch %d", o.images(), mainBatch);
        FlinkRun.Result main = FlinkRun.run(uris, modelOptions, o, o.images(), mainBatch);
        double cpuMs =
                (main.end().outsideInferenceCpuNanos() - main.warm().outsideInferenceCpuNanos())
                        / 1e6
                        / measured;
        double inferenceCpuMs =
                (main.end().inferenceCpuNanos() - main.warm().inferenceCpuNanos()) / 1e6 / measured;
        double rssGrowth =
                100.0 * (main.end().rssKb() - main.rssBase().rssKb()) / main.rssBase().rssKb();
        double[] s = main.meanStageMs();
        print(
                "  %.2f img/s over %d images after %d warm-up%s",
                main.imagesPerSecond(), measured, warmUp, failures(main));
        print(
                "  stage ms per image inside the pipeline (from job timings): queue %.0f | fetch %.1f | decode %.1f"
                        + " | inference (its batch) %.1f | postprocess %.1f | encode %.1f | store %.1f",
                s[0], s[1], s[2], s[3], s[4], s[5], s[6]);
        print(
                "  CPU per image: %.1f ms outside inference, %.1f ms in the model (all its threads);"
                        + " bare overlapped loop: %.1f ms outside",
                cpuMs, inferenceCpuMs, bareCpuMs);
        print(
                "  RSS: %d MiB after %d images, %d MiB at the end (%+.1f %%), peak (VmHWM) %d MiB%s",
                main.rssBase().rssKb() / 1024,
                Math.max(warmUp, o.images() / 4),
                main.end().rssKb() / 1024,
                rssGrowth,
                main.end().hwmKb() / 1024,
                o.images() < 2000 ? "  [fewer than 2000 images: indicative only]" : "");
        print(
                "       of which Java heap (committed) %d -> %d MiB, the rest (native, direct buffers %d -> %d MiB)"
                        + " %d -> %d MiB (%+.1f %%)",
                main.rssBase().heapCommittedKb() / 1024,
                main.end().heapCommittedKb() / 1024,
                main.rssBase().directKb() / 1024,
                main.end().directKb() / 1024,
                main.rssBase().offHeapRssKb() / 1024,
                main.end().offHeapRssKb() / 1024,
                100.0
                        * (main.end().offHeapRssKb() - main.rssBase().offHeapRssKb())
                        / main.rssBase().offHeapRssKb());

        plotThroughput(o, sizes, bare, pipeline);

        // The best bare loop at any batch size: the stricter reference.
        double bareBest =
                bare.values().stream()
                        .mapToDouble(v -> Math.max(v[0], v[1]))
                        .max()
                        .orElse(Double.NaN);
        String line =
                String.format(
                        Locale.ROOT,
                        "bench: pipeline_img_s=%.2f bare_img_s=%.2f efficiency=%.2f cpu_ms_per_image=%.1f"
                                + " rss_growth_pct=%.1f",
                        main.imagesPerSecond(),
                        bareBest,
                        main.imagesPerSecond() / bareBest,
                        cpuMs,
                        rssGrowth);
        print("");
        print(
                "cpu: old_cpu_ms_per_image=%.1f new_cpu_ms_per_image=%.1f ratio=%.2f"
                        + " stages_old_ms_core=%.1f stages_new_ms_core=%.1f"
                        + " (pipeline runs and one-thread stages, both paths in this run)",
                legacyCpuMs,
                cpuMs,
                cpuMs / legacyCpuMs,
                cpuStages.oldTotal(),
                cpuStages.newTotal());
        out.println(line);
        return line;
    }

    private String failures(FlinkRun.Result r) {
        return r.failed() == 0
                ? ""
                : String.format(
                        Locale.ROOT, "  [%d FAILED: %s]", r.failed(), FlinkRun.Probe.firstFailure);
    }

    /** Plots go next to the work directory: {@code bench/target/} for {@code bench/run.sh}. */
    private static Path plotDir(BenchOptions o) {
        Path parent = o.workDir().toAbsolutePath().getParent();
        return parent == null ? o.workDir() : parent;
    }

    private void plotThroughput(
            BenchOptions o,
            TreeSet<Integer> sizes,
            Map<Integer, double[]> bare,
            Map<Integer, Double> pipeline)
            throws java.io.IOException {
        double[] xs = sizes.stream().mapToDouble(Integer::doubleValue).toArray();
        double[] sequential = sizes.stream().mapToDouble(b -> bare.get(b)[0]).toArray();
        double[] overlapped = sizes.stream().mapToDouble(b -> bare.get(b)[1]).toArray();
        double[] flink = sizes.stream().mapToDouble(pipeline::get).toArray();
        Path file = plotDir(o).resolve("throughput.png");
        Plots.lines(
                String.format(
                        Locale.ROOT,
                        "images/s vs batch size (%s model, %d CPU + %d postprocess threads)",
                        o.model(),
                        o.cpuThreads(),
                        o.postprocessThreads()),
                "batch size",
                xs,
                List.of("bare sequential", "bare overlapped", "Flink path"),
                List.of(sequential, overlapped, flink),
                file);
        print("plots: %s, %s", plotDir(o).resolve("cpu-stages.png"), file);
    }

    /** The CPU stages cost the model once per image, not twice: more images than above. */
    private static int cpuStageImages(BenchOptions o) {
        return Math.min(o.sweepImages(), o.model().equals("conv") ? 10 : 20);
    }

    private static int stageImages(BenchOptions o) {
        return Math.min(o.sweepImages(), o.model().equals("conv") ? 6 : 20);
    }

    private void print(String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
    }
}
