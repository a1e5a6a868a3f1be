package io.rmbg.job.stats;

/** How many of a day's jobs failed with one error code so far. */
public record ErrorCount(long epochDay, String errorCode, long failedJobs, long updatedAtMillis) {}
