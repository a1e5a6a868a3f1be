package io.rmbg.job.stats;

import java.util.HashMap;
import java.util.Map;

/**
 * Running counts of terminal jobs: the accumulator of a day's window and the sum of its shards.
 * Mutable on purpose (it is an aggregate accumulator); {@link #copy()} before handing it on.
 */
public final class JobCounts {
    public long completed;
    public long failed;

    /** Sum of {@code processing_time_ms} over completed jobs. */
    public long completedMillis;

    public Map<String, Long> failedByCode = new HashMap<>();

    public JobCounts() {}

    public long total() {
        return completed + failed;
    }

    public JobCounts add(JobOutcome o) {
        if (o.completed()) {
            completed++;
            completedMillis += o.processingTimeMs();
        } else {
            failed++;
            failedByCode.merge(o.errorCode() == null ? "UNKNOWN" : o.errorCode(), 1L, Long::sum);
        }
        return this;
    }

    public JobCounts add(JobCounts other) {
        completed += other.completed;
        failed += other.failed;
        completedMillis += other.completedMillis;
        other.failedByCode.forEach((code, n) -> failedByCode.merge(code, n, Long::sum));
        return this;
    }

    public JobCounts copy() {
        return new JobCounts().add(this);
    }

    @Override
    public String toString() {
        return "JobCounts{completed="
                + completed
                + ", failed="
                + failed
                + ", completedMillis="
                + completedMillis
                + ", failedByCode="
                + failedByCode
                + "}";
    }
}
