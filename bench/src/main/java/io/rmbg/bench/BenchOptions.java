package io.rmbg.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What one benchmark run does. Parsed from {@code --key value} arguments (and the flag {@code
 * --soak}); every option has a default small enough for a 2-core machine.
 *
 * <p>{@code --soak} changes the defaults to the soak's: the demo model, {@value #SOAK_IMAGES}
 * images of {@value #SOAK_WIDTH}x{@value #SOAK_HEIGHT}, so that 10 000 images finish in minutes and
 * the run is about memory over time, not model cost. Options given explicitly still win.
 *
 * @param model {@code conv} (the conv-stack model, realistic compute) or {@code colour-key} (the
 *     demo model: almost free, so the CPU stages dominate)
 * @param images images through the Flink path at the main batch size (RSS growth is measured over
 *     these; the figure wants at least 2000), or through the soak
 * @param sweepImages images per batch size in the sweep, bare loop and Flink path each
 * @param batchSize the main batch size, reported on the final line
 * @param batchSizes the sweep
 * @param width width of the generated JPEG inputs (1080p by default)
 * @param height height of the generated JPEG inputs
 * @param distinctImages how many different JPEGs the inputs cycle through
 * @param cpuThreads the operator's CPU pool ({@code inference.cpu-threads}): fetch, decode,
 *     preprocess
 * @param postprocessThreads the operator's postprocess pool ({@code
 *     inference.postprocess-threads}): mask, cut-out, PNG, store; as many as {@code cpuThreads}
 *     unless given
 * @param intraOpThreads ONNX Runtime threads ({@code model.intra-op-threads}, 0: the runtime
 *     decides)
 * @param capacity async operator capacity ({@code inference.capacity})
 * @param batchTimeoutMs {@code inference.batch-timeout-ms}
 * @param device {@code cpu} or {@code cuda[:N]}
 * @param convLayers conv layers of the conv-stack model
 * @param convChannels channels of the conv-stack model
 * @param timeoutMs the async operator's timeout ({@code inference.timeout-ms}, the job's default)
 * @param soak run the soak ({@link Soak}) instead of the benchmark
 * @param sampleEvery images between two soak samples (default: a hundred samples per run)
 * @param workDir where models (and the soak's CSV) are written
 */
public record BenchOptions(
        String model,
        int images,
        int sweepImages,
        int batchSize,
        List<Integer> batchSizes,
        int width,
        int height,
        int distinctImages,
        int cpuThreads,
        int postprocessThreads,
        int intraOpThreads,
        int capacity,
        long batchTimeoutMs,
        String device,
        int convLayers,
        int convChannels,
        long timeoutMs,
        boolean soak,
        int sampleEvery,
        Path workDir) {
    static final int SOAK_IMAGES = 10_000;
    static final int SOAK_WIDTH = 640;
    static final int SOAK_HEIGHT = 480;

    /** As the job's {@code inference.timeout-ms} default. */
    static final long DEFAULT_TIMEOUT_MS = 120_000;

    static final String USAGE =
            String.join(
                    "\n",
                    "usage: bench/run.sh [--soak] [--model conv|colour-key] [--images N] [--sweep-images N]",
                    "                    [--batch-size N] [--batch-sizes 1,2,4] [--width 1920] [--height 1080]",
                    "                    [--distinct-images 8] [--cpu-threads 2] [--postprocess-threads N]",
                    "                    [--intra-op-threads 0] [--capacity 16] [--batch-timeout-ms 10]",
                    "                    [--device cpu|cuda|cuda:N]",
                    "                    [--conv-layers 9] [--conv-channels 8] [--timeout-ms 120000]",
                    "                    [--sample-every N] [--work-dir DIR]",
                    "  --soak: 10000 640x480 images through the Flink path with the colour-key model, memory and",
                    "          in-flight elements sampled every --sample-every images (table, CSV, verdict)");

    public BenchOptions {
        if (!model.equals("conv") && !model.equals("colour-key")) {
            throw new IllegalArgumentException("--model must be conv or colour-key, got " + model);
        }
        if (images < 2 || sweepImages < 2) {
            throw new IllegalArgumentException(
                    "--images and --sweep-images need at least 2 (one warms up)");
        }
        positive("--batch-size", batchSize);
        positive("--width", width);
        positive("--height", height);
        positive("--distinct-images", distinctImages);
        positive("--cpu-threads", cpuThreads);
        positive("--postprocess-threads", postprocessThreads);
        positive("--capacity", capacity);
        if (convLayers < 2) {
            throw new IllegalArgumentException(
                    "--conv-layers must be at least 2, got " + convLayers);
        }
        positive("--conv-channels", convChannels);
        if (timeoutMs <= 0) {
            throw new IllegalArgumentException("--timeout-ms must be positive, got " + timeoutMs);
        }
        positive("--sample-every", sampleEvery);
        if (batchTimeoutMs < 0) {
            throw new IllegalArgumentException("--batch-timeout-ms cannot be negative");
        }
        batchSizes.forEach(b -> positive("--batch-sizes", b));
        batchSizes = List.copyOf(batchSizes);
    }

    static BenchOptions parse(String[] args) {
        boolean soak = List.of(args).contains("--soak");
        String model = soak ? "colour-key" : "conv";
        Integer images = null;
        Integer sweepImages = null;
        int batchSize = 4;
        List<Integer> batchSizes = null;
        int width = soak ? SOAK_WIDTH : 1920;
        int height = soak ? SOAK_HEIGHT : 1080;
        int distinct = 8;
        int cpuThreads = 2;
        Integer postprocessThreads = null;
        int intraOp = 0;
        int capacity = 16;
        long batchTimeout = 10;
        String device = "cpu";
        int layers = 9;
        int channels = 8;
        long timeoutMs = DEFAULT_TIMEOUT_MS;
        Integer sampleEvery = null;
        Path workDir = Path.of("bench", "target", "work");
        for (int i = 0; i < args.length; i++) {
            String key = args[i];
            if (key.equals("--help") || key.equals("-h")) {
                throw new IllegalArgumentException(USAGE);
            }
            if (key.equals("--soak")) {
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + key + " needs a value\n" + USAGE);
            }
            String v = args[++i];
            switch (key) {
                case "--model" -> model = v.toLowerCase(Locale.ROOT).replace("color", "colour");
                case "--images" -> images = Integer.parseInt(v);
                case "--sweep-images" -> sweepImages = Integer.parseInt(v);
                case "--batch-size" -> batchSize = Integer.parseInt(v);
                case "--batch-sizes" -> batchSizes = parseList(v);
                case "--width" -> width = Integer.parseInt(v);
                case "--height" -> height = Integer.parseInt(v);
                case "--distinct-images" -> distinct = Integer.parseInt(v);
                case "--cpu-threads" -> cpuThreads = Integer.parseInt(v);
                case "--postprocess-threads" -> postprocessThreads = Integer.parseInt(v);
                case "--intra-op-threads" -> intraOp = Integer.parseInt(v);
                case "--capacity" -> capacity = Integer.parseInt(v);
                case "--batch-timeout-ms" -> batchTimeout = Long.parseLong(v);
                case "--device" -> device = v;
                case "--conv-layers" -> layers = Integer.parseInt(v);
                case "--conv-channels" -> channels = Integer.parseInt(v);
                case "--timeout-ms" -> timeoutMs = Long.parseLong(v);
                case "--sample-every" -> sampleEvery = Integer.parseInt(v);
                case "--work-dir" -> workDir = Path.of(v);
                default ->
                        throw new IllegalArgumentException("unknown option " + key + "\n" + USAGE);
            }
        }
        boolean conv = model.equals("conv");
        // Defaults that finish in a few minutes on 2 cores: the conv model costs ~1 s per image
        // there.
        int n = images != null ? images : soak ? SOAK_IMAGES : conv ? 48 : 400;
        int sweep = sweepImages != null ? sweepImages : conv ? 24 : 120;
        List<Integer> sizes = batchSizes != null ? batchSizes : List.of(1, 2, 4);
        int every = sampleEvery != null ? sampleEvery : Math.max(1, n / 100);
        int post = postprocessThreads != null ? postprocessThreads : cpuThreads;
        return new BenchOptions(
                model,
                n,
                sweep,
                batchSize,
                sizes,
                width,
                height,
                distinct,
                cpuThreads,
                post,
                intraOp,
                capacity,
                batchTimeout,
                device,
                layers,
                channels,
                timeoutMs,
                soak,
                every,
                workDir);
    }

    private static List<Integer> parseList(String v) {
        List<Integer> out = new ArrayList<>();
        for (String part : v.split(",")) {
            if (!part.isBlank()) {
                out.add(Integer.parseInt(part.trim()));
            }
        }
        return out;
    }

    private static void positive(String what, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + value);
        }
    }
}
