package io.rmbg.local;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Injected failures for tests on a MiniCluster (same JVM): each named point fails exactly once,
 * when it has been passed {@code after} times. Statics, because Flink serialises the functions and
 * sinks that call it.
 */
final class Chaos {
    private static final Map<String, Point> POINTS = new ConcurrentHashMap<>();

    private Chaos() {}

    /** Arms {@code point} to fail on its {@code after}-th pass. */
    static void arm(String point, long after) {
        POINTS.put(point, new Point(after));
    }

    static void reset() {
        POINTS.clear();
    }

    /** Throws once, on the armed pass of {@code point}; otherwise does nothing. */
    static void maybeFail(String point) {
        Point p = POINTS.get(point);
        if (p != null
                && p.passes.incrementAndGet() >= p.after
                && p.fired.compareAndSet(false, true)) {
            throw new InjectedFailure(point);
        }
    }

    static boolean fired(String point) {
        Point p = POINTS.get(point);
        return p != null && p.fired.get();
    }

    static Map<String, Boolean> report() {
        Map<String, Boolean> out = new java.util.TreeMap<>();
        POINTS.forEach((k, v) -> out.put(k, v.fired.get()));
        return out;
    }

    private static final class Point {
        final long after;
        final AtomicLong passes = new AtomicLong();
        final AtomicBoolean fired = new AtomicBoolean();

        Point(long after) {
            this.after = after;
        }
    }

    /** The failure a test injected; a restart from the last checkpoint must make it harmless. */
    static final class InjectedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedFailure(String point) {
            super("injected failure at " + point);
        }
    }
}
