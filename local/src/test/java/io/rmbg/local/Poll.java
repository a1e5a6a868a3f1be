package io.rmbg.local;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Waits for the embedded stack to reach a state: every ITCase polls rows, topics or the REST API
 * the same way, and fails with what it last saw, not with a bare timeout.
 */
final class Poll {
    /** What a poll reads each round; may throw (a server still starting is one). */
    @FunctionalInterface
    interface Probe<T> {
        T read() throws Exception;
    }

    private Poll() {}

    /**
     * Reads {@code probe} every {@code every} until {@code done} holds, returning that reading;
     * after {@code timeout} fails with {@code failure} of the last reading (null if none).
     */
    static <T> T until(
            Duration timeout,
            Duration every,
            Probe<T> probe,
            Predicate<? super T> done,
            Function<? super T, String> failure)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        while (true) {
            last = probe.read();
            if (done.test(last)) {
                return last;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure.apply(last));
            }
            Thread.sleep(every.toMillis());
        }
    }
}
