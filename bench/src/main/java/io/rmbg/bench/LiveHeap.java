package io.rmbg.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The live heap: heap used right after a full collection, what a leak on the heap grows.
 *
 * <p>On Java 17 {@code System.gc()} returns without collecting while any thread is inside a JNI
 * critical region (JDK-8057586), and the pipeline's threads often are: zlib's deflater for the
 * PNGs, ImageIO's JPEG reader. So the full collection is asked for again until a full collector has
 * counted one more, and given up after a few tries rather than reported wrong. The full collectors
 * are known by name for the Parallel (bench/run.sh's), G1 and Serial collectors; with another, no
 * live heap is reported.
 */
final class LiveHeap {
    private static final int ATTEMPTS = 20;
    private static final long RETRY_MILLIS = 5;
    private static final Set<String> FULL_COLLECTORS =
            Set.of("PS MarkSweep", "G1 Old Generation", "MarkSweepCompact");

    private LiveHeap() {}

    /** Runs a full GC and returns heap used after it in KiB; empty when no full GC could run. */
    static OptionalLong measureKb() {
        long before = fullCollections();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            System.gc();
            if (fullCollections() > before) {
                return OptionalLong.of(
                        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1024);
            }
            try {
                Thread.sleep(RETRY_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return OptionalLong.empty();
    }

    private static long fullCollections() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .filter(gc -> FULL_COLLECTORS.contains(gc.getName()))
                .mapToLong(GarbageCollectorMXBean::getCollectionCount)
                .sum();
    }
}
