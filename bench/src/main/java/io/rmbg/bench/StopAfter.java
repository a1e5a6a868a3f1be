package io.rmbg.bench;

import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Lets each source subtask emit its share of {@code total} records, then none: the source stays
 * running (an idle Kafka topic), so the job's state is still there to checkpoint and measure. A
 * bounded source would finish, and finished operators checkpoint no state.
 */
final class StopAfter<S extends SourceSplit> implements RateLimiterStrategy<S> {
    private static final long serialVersionUID = 1L;

    private final long total;

    StopAfter(long total) {
        this.total = total;
    }

    @Override
    public RateLimiter<S> createRateLimiter(int parallelism) {
        long share = (total + parallelism - 1) / parallelism;
        return new RateLimiter<>() {
            private long left = share;

            @Override
            public CompletionStage<Void> acquire(int permits) {
                if (left <= 0) {
                    return new CompletableFuture<>(); // never: the topic went quiet
                }
                left -= permits;
                return CompletableFuture.completedFuture(null);
            }
        };
    }
}
