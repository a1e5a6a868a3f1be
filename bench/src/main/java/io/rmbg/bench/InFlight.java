package io.rmbg.bench;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The elements inside the async operator and when each entered it, so that a run can show how many
 * are in flight and how old the oldest is, against the operator's timeout. An element enters in
 * {@link InFlightTrackingFunction#asyncInvoke} (where the operator starts its timeout) and leaves
 * when {@link FlinkRun.Probe} sees its result, chained right after the operator. Static, as the
 * probe's counters: the MiniCluster runs in this JVM and the function is serialised on its way.
 */
final class InFlight {
    private static final Map<String, Long> STARTED_NANOS = new ConcurrentHashMap<>();
    private static final AtomicLong MAX_AGE_NANOS = new AtomicLong();
    private static final AtomicLong MAX_COUNT = new AtomicLong();

    private InFlight() {}

    static void reset() {
        STARTED_NANOS.clear();
        MAX_AGE_NANOS.set(0);
        MAX_COUNT.set(0);
    }

    static void started(String jobId) {
        STARTED_NANOS.put(jobId, System.nanoTime());
        MAX_COUNT.accumulateAndGet(STARTED_NANOS.size(), Math::max);
    }

    static void finished(String jobId) {
        Long started = STARTED_NANOS.remove(jobId);
        if (started != null) {
            MAX_AGE_NANOS.accumulateAndGet(System.nanoTime() - started, Math::max);
        }
    }

    /** Elements started and not finished. */
    static int count() {
        return STARTED_NANOS.size();
    }

    /** The most elements in flight at once so far: the operator's capacity bounds it. */
    static long maxCount() {
        return MAX_COUNT.get();
    }

    /** Age of the oldest element in flight now, 0 when there is none. */
    static long oldestAgeMs() {
        long now = System.nanoTime();
        return STARTED_NANOS.values().stream().mapToLong(started -> now - started).max().orElse(0)
                / 1_000_000;
    }

    /** The longest any element has been in flight so far, finished or not. */
    static long maxAgeMs() {
        return Math.max(MAX_AGE_NANOS.get() / 1_000_000, oldestAgeMs());
    }
}
