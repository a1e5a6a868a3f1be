package io.rmbg.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.Locale;

/**
 * One row of the soak: the process after {@code images} results. Taken on the task thread between
 * two results, so it stays cheap: {@code /proc/self/status} and three MXBean reads.
 *
 * @param elapsedS since the soak started (MiniCluster start and model load included)
 * @param imagesPerSecond since the previous sample
 * @param heapCommittedKb fixed when the heap is (as {@code bench/run.sh} runs it): then RSS minus
 *     it is everything off the heap (native: ONNX Runtime, libjpeg, zlib; direct buffers; code)
 * @param inFlight elements inside the async operator; its capacity bounds them
 * @param oldestInFlightMs how long the oldest of them has been there, 0 when there is none
 * @param liveHeapKb heap used right after a full GC, taken on some samples only, else {@link
 *     #NOT_TAKEN}
 */
record SoakSample(
        long images,
        long failed,
        double elapsedS,
        double imagesPerSecond,
        long rssKb,
        long heapUsedKb,
        long heapCommittedKb,
        long directKb,
        int inFlight,
        long oldestInFlightMs,
        long liveHeapKb) {
    static final long NOT_TAKEN = -1;

    static final String CSV_HEADER =
            "images,elapsed_s,img_s,rss_mib,heap_used_mib,heap_committed_mib,"
                    + "off_heap_mib,direct_mib,in_flight,oldest_in_flight_ms,failed,live_heap_mib";
    static final String TABLE_HEADER =
            String.format(
                    Locale.ROOT,
                    "%8s %9s %7s %8s %9s %9s %8s %7s %9s %9s %6s %9s",
                    "images",
                    "elapsed_s",
                    "img/s",
                    "rss",
                    "heap_used",
                    "heap_comm",
                    "off_heap",
                    "direct",
                    "in_flight",
                    "oldest_ms",
                    "failed",
                    "live_heap");

    /**
     * @param previous the sample before, {@code null} for the first
     */
    static SoakSample take(long images, long failed, long startNanos, SoakSample previous) {
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        double rate =
                previous == null
                        ? images / elapsed
                        : (images - previous.images) / (elapsed - previous.elapsedS);
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new SoakSample(
                images,
                failed,
                elapsed,
                rate,
                ProcessMeter.memoryKb()[0],
                heap.getUsed() / 1024,
                heap.getCommitted() / 1024,
                ProcessMeter.directKb(),
                InFlight.count(),
                InFlight.oldestAgeMs(),
                NOT_TAKEN);
    }

    /** This sample with the live heap, when a full GC could be run (see {@link LiveHeap}). */
    SoakSample withLiveHeap() {
        return new SoakSample(
                images,
                failed,
                elapsedS,
                imagesPerSecond,
                rssKb,
                heapUsedKb,
                heapCommittedKb,
                directKb,
                inFlight,
                oldestInFlightMs,
                LiveHeap.measureKb().orElse(NOT_TAKEN));
    }

    boolean hasLiveHeap() {
        return liveHeapKb != NOT_TAKEN;
    }

    long offHeapKb() {
        return rssKb - heapCommittedKb;
    }

    /** The live heap cell is empty where it was not taken. */
    String csvRow() {
        return String.format(
                Locale.ROOT,
                "%d,%.1f,%.2f,%d,%d,%d,%d,%d,%d,%d,%d,%s",
                images,
                elapsedS,
                imagesPerSecond,
                rssKb / 1024,
                heapUsedKb / 1024,
                heapCommittedKb / 1024,
                offHeapKb() / 1024,
                directKb / 1024,
                inFlight,
                oldestInFlightMs,
                failed,
                hasLiveHeap() ? liveHeapKb / 1024 : "");
    }

    /** Under {@link #TABLE_HEADER}; memory in MiB. */
    String tableRow() {
        return String.format(
                Locale.ROOT,
                "%8d %9.1f %7.2f %8d %9d %9d %8d %7d %9d %9d %6d %9s",
                images,
                elapsedS,
                imagesPerSecond,
                rssKb / 1024,
                heapUsedKb / 1024,
                heapCommittedKb / 1024,
                offHeapKb() / 1024,
                directKb / 1024,
                inFlight,
                oldestInFlightMs,
                failed,
                hasLiveHeap() ? liveHeapKb / 1024 : "-");
    }
}
