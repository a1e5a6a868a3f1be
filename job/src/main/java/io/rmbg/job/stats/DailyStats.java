package io.rmbg.job.stats;

import java.time.LocalDate;

/**
 * One day's statistics so far: the {@code processing_stats} row (docs/contracts.md §5) and its
 * per-error-code breakdown. Counts are cumulative: a later value for the same day replaces an
 * earlier one.
 *
 * @param shard which part of the day's work these counts cover, or {@link #ALL_SHARDS}
 */
public record DailyStats(long epochDay, int shard, JobCounts counts, long updatedAtMillis) {
    public static final int ALL_SHARDS = -1;

    public LocalDate day() {
        return LocalDate.ofEpochDay(epochDay);
    }
}
