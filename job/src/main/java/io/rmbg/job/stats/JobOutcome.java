package io.rmbg.job.stats;

import io.rmbg.core.records.JobResult;

import java.time.Duration;

/**
 * What daily statistics need from a finished job: its event time (which fixes its day), whether it
 * completed, how long it took, and why it failed.
 *
 * @param eventTimeMillis {@code created_at}, but never more than the allowed clock skew after the
 *     job completed: a job dated in the future (a wrong clock, or on purpose) counts on the day it
 *     was processed instead of pushing the watermark ahead for everyone. Its row keeps its {@code
 *     created_at}.
 */
public record JobOutcome(
        String jobId,
        long eventTimeMillis,
        boolean completed,
        long processingTimeMs,
        String errorCode) {

    public static JobOutcome of(JobResult r, Duration maxClockSkew) {
        return new JobOutcome(
                r.jobId(),
                eventTime(r.createdAtMillis(), r.completedAtMillis(), maxClockSkew),
                r.isCompleted(),
                r.processingTimeMs(),
                r.errorCode() == null ? null : r.errorCode().name());
    }

    /**
     * {@code LEAST(created_at, completed_at + skew)}: README's recomputation uses the same rule.
     */
    static long eventTime(long createdAtMillis, long completedAtMillis, Duration maxClockSkew) {
        long latest = completedAtMillis + maxClockSkew.toMillis();
        return Math.min(createdAtMillis, latest);
    }

    /** The partition of the day's work this job counts in; spreads a busy day over slots. */
    public int shard(int shards) {
        return Math.floorMod(jobId.hashCode(), shards);
    }
}
