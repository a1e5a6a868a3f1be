package io.rmbg.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a soak found, and whether it passed: every image completed, none left in flight, none in
 * flight as long as the operator's timeout, and RSS flat after the warm-up: within {@value
 * #FLAT_RSS_GROWTH_PCT} % from the first sample after it to the last. With the heap fixed and
 * pre-touched, RSS growth is native or direct memory not given back, such as an ONNX Runtime tensor
 * never closed: one 1024² float tensor (4 MiB) left open every 100 images would add 320 MiB over
 * the default run's 8000 measured images, about 8 % of its RSS.
 *
 * <p>The heap is reported, not judged: its live size (see {@link LiveHeap}) at each tenth of the
 * run. While the pipeline is full that includes the images in flight; at the last result it has
 * drained.
 *
 * @param samples every sample, the last one at the last result; some hold the live heap
 * @param warm the first sample after the warm-up
 * @param maxInFlight the most elements in flight at once
 * @param leftInFlight elements still in flight after the job finished
 * @param maxInFlightAgeMs the longest any element was in flight
 */
record SoakReport(
        int images,
        int completed,
        int failed,
        String firstFailure,
        int capacity,
        long timeoutMs,
        List<SoakSample> samples,
        SoakSample warm,
        long maxInFlight,
        int leftInFlight,
        long maxInFlightAgeMs) {
    static final double FLAT_RSS_GROWTH_PCT = 2.0;

    SoakReport {
        samples = List.copyOf(samples);
    }

    SoakSample end() {
        return samples.get(samples.size() - 1);
    }

    double rssGrowthPct() {
        return 100.0 * (end().rssKb() - warm.rssKb()) / warm.rssKb();
    }

    /** Image rate from the warm sample to the last. */
    double imagesPerSecond() {
        double seconds = end().elapsedS() - warm.elapsedS();
        return seconds > 0 ? (end().images() - warm.images()) / seconds : Double.NaN;
    }

    /** Why the soak failed; empty when it passed. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (completed != images) {
            problems.add(
                    f(
                            "%d of %d images did not complete (first failure: %s)",
                            images - completed, images, firstFailure));
        }
        if (leftInFlight > 0) {
            problems.add(leftInFlight + " elements were still in flight at the end");
        }
        if (maxInFlightAgeMs >= timeoutMs) {
            problems.add(
                    "an element was in flight "
                            + maxInFlightAgeMs
                            + " ms, the timeout is "
                            + timeoutMs);
        }
        if (rssGrowthPct() > FLAT_RSS_GROWTH_PCT) {
            problems.add(
                    f(
                            "RSS grew %.1f %% after the warm-up (flat: within %.0f %%)",
                            rssGrowthPct(), FLAT_RSS_GROWTH_PCT));
        }
        return problems;
    }

    boolean passed() {
        return problems().isEmpty();
    }

    /** The summary, one string per line. */
    List<String> summary() {
        SoakSample end = end();
        List<SoakSample> measured = measured();
        long rssMax = measured.stream().mapToLong(SoakSample::rssKb).max().orElseThrow();
        long heapMin = measured.stream().mapToLong(SoakSample::heapUsedKb).min().orElseThrow();
        long heapMax = measured.stream().mapToLong(SoakSample::heapUsedKb).max().orElseThrow();
        String live =
                measured.subList(0, measured.size() - 1).stream()
                        .filter(SoakSample::hasLiveHeap)
                        .map(s -> liveMib(s))
                        .collect(Collectors.joining(" "));
        List<String> problems = problems();
        return List.of(
                f(
                        "soak summary: %d images; warm-up until image %d, measured from there",
                        images, warm.images()),
                f(
                        "  results    %d completed, %d failed%s",
                        completed,
                        failed,
                        firstFailure == null ? "" : " (first: " + firstFailure + ")"),
                f(
                        "  throughput %.0f s in all, %.2f img/s after the warm-up",
                        end.elapsedS(), imagesPerSecond()),
                f(
                        "  RSS        %d MiB at image %d -> %d MiB at the end (%+.1f %%), max %d MiB",
                        mib(warm.rssKb()),
                        warm.images(),
                        mib(end.rssKb()),
                        rssGrowthPct(),
                        mib(rssMax)),
                f(
                        "  off heap   %d -> %d MiB (RSS - heap committed), of which direct buffers %d -> %d MiB",
                        mib(warm.offHeapKb()),
                        mib(end.offHeapKb()),
                        mib(warm.directKb()),
                        mib(end.directKb())),
                f(
                        "  heap       live at each tenth after the warm-up %s MiB, %s once drained",
                        live, liveMib(end)),
                f(
                        "             used %d..%d MiB between collections, committed %d MiB",
                        mib(heapMin), mib(heapMax), mib(end.heapCommittedKb())),
                f(
                        "  in flight  at most %d at once (capacity %d), %d left at the end; the longest %d ms"
                                + " (timeout %d ms)",
                        maxInFlight, capacity, leftInFlight, maxInFlightAgeMs, timeoutMs),
                "  verdict    "
                        + (problems.isEmpty()
                                ? f(
                                        "PASS: RSS flat (within %.0f %%), every image completed, none in flight past the timeout",
                                        FLAT_RSS_GROWTH_PCT)
                                : "FAIL: " + String.join("; ", problems)));
    }

    /**
     * The last line: {@code soak: images=… … verdict=pass|fail}. {@code heap_*} is the live heap:
     * at the warm-up, at the last tenth before the end, and once drained; {@code na} where no full
     * GC could be run.
     */
    String line() {
        SoakSample end = end();
        List<SoakSample> measured = measured();
        SoakSample lastLoaded =
                measured.subList(0, Math.max(1, measured.size() - 1)).stream()
                        .filter(SoakSample::hasLiveHeap)
                        .reduce((first, second) -> second)
                        .orElse(warm);
        return f(
                "soak: images=%d completed=%d failed=%d duration_s=%.0f img_s=%.2f rss_start_mib=%d rss_end_mib=%d"
                        + " rss_growth_pct=%.1f off_heap_start_mib=%d off_heap_end_mib=%d heap_start_mib=%s"
                        + " heap_end_mib=%s heap_drained_mib=%s max_in_flight=%d max_in_flight_age_ms=%d"
                        + " timeout_ms=%d verdict=%s",
                images,
                completed,
                failed,
                end.elapsedS(),
                imagesPerSecond(),
                mib(warm.rssKb()),
                mib(end.rssKb()),
                rssGrowthPct(),
                mib(warm.offHeapKb()),
                mib(end.offHeapKb()),
                liveMib(warm),
                liveMib(lastLoaded),
                liveMib(end),
                maxInFlight,
                maxInFlightAgeMs,
                timeoutMs,
                passed() ? "pass" : "fail");
    }

    /** The samples from the warm one on. */
    private List<SoakSample> measured() {
        return samples.subList(samples.indexOf(warm), samples.size());
    }

    private static String liveMib(SoakSample sample) {
        return sample.hasLiveHeap() ? String.valueOf(mib(sample.liveHeapKb())) : "na";
    }

    private static long mib(long kb) {
        return kb / 1024;
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
