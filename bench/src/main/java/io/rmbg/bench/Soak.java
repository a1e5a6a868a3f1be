package io.rmbg.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The soak ({@code bench/run.sh --soak}): many images (10 000 by default) through the real {@code
 * BackgroundRemovalFunction} in the real async operator, as {@link FlinkRun} runs it, watching
 * memory and the elements in flight rather than speed. It prints a sample every {@code
 * --sample-every} images (images done, rate, RSS, heap, off-heap and direct memory, elements in
 * flight and the oldest one's age), writes the same rows to {@code <work-dir>/soak.csv} for
 * plotting, and ends with a {@link SoakReport}: the summary, then one machine-readable line {@code
 * soak: images=… verdict=pass|fail}.
 *
 * <p>The first {@value #WARM_UP_PERCENT} % of the images are the warm-up (JIT, the model's arenas,
 * glibc's malloc arenas, Flink's buffers); RSS is compared from there to the end. For the figure to
 * mean native memory, the heap must be fixed and pre-touched, as {@code bench/run.sh} runs it.
 */
final class Soak {
    static final int WARM_UP_PERCENT = 20;

    private final PrintStream out;

    Soak(PrintStream out) {
        this.out = out;
    }

    /**
     * Runs the soak, printing as it goes, and returns its report (whose summary is printed too).
     */
    SoakReport run(BenchOptions o) throws Exception {
        out.println(
                String.format(
                        Locale.ROOT,
                        "rmbg-flink soak: %s model, %dx%d JPEG inputs, %d cores, device %s,"
                                + " java %s, heap max %d MiB",
                        o.model(),
                        o.width(),
                        o.height(),
                        Runtime.getRuntime().availableProcessors(),
                        o.device(),
                        System.getProperty("java.version"),
                        Runtime.getRuntime().maxMemory() >> 20));
        BenchInputs inputs = BenchInputs.prepare(o, out);
        Path csv = o.workDir().resolve("soak.csv");
        long warmUp = Math.max(1, (long) o.images() * WARM_UP_PERCENT / 100);
        out.println(
                String.format(
                        Locale.ROOT,
                        "Flink path (MiniCluster, parallelism 1): %d images at batch %d,"
                                + " async capacity %d, timeout %d ms, %d CPU threads; a sample every %d images, also in %s",
                        o.images(),
                        o.batchSize(),
                        o.capacity(),
                        o.timeoutMs(),
                        o.cpuThreads(),
                        o.sampleEvery(),
                        csv));

        FlinkRun.Result result;
        SoakSampler sampler = new SoakSampler(out, csv, o.sampleEvery(), o.images(), warmUp);
        try (sampler) {
            result =
                    FlinkRun.run(
                            inputs.uris(),
                            inputs.modelOptions(),
                            o,
                            o.images(),
                            o.batchSize(),
                            sampler);
        }
        SoakReport report =
                new SoakReport(
                        o.images(),
                        result.completed(),
                        result.failed(),
                        FlinkRun.Probe.firstFailure,
                        o.capacity(),
                        o.timeoutMs(),
                        sampler.samples(),
                        sampler.warm(),
                        InFlight.maxCount(),
                        InFlight.count(),
                        InFlight.maxAgeMs());
        out.println();
        report.summary().forEach(out::println);
        out.println(report.line());
        return report;
    }
}
