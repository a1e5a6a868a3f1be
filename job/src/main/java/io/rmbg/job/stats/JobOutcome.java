package io.rmbg.job.stats;

import io.rmbg.udf.records.JobResult;

/**
 * What daily statistics need from a finished job: its day (from {@code created_at}), whether it
 * completed, how long it took, and why it failed.
 */
public record JobOutcome(
        String jobId,
        long createdAtMillis,
        boolean completed,
        long processingTimeMs,
        String errorCode) {

    public static JobOutcome of(JobResult r) {
        return new JobOutcome(
                r.jobId(),
                r.createdAtMillis(),
                r.isCompleted(),
                r.processingTimeMs(),
                r.errorCode() == null ? null : r.errorCode().name());
    }

    /** The partition of the day's work this job counts in; spreads a busy day over slots. */
    public int shard(int shards) {
        return Math.floorMod(jobId.hashCode(), shards);
    }
}
