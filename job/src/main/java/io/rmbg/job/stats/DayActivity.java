package io.rmbg.job.stats;

/**
 * Something happened to a day's statistics: the windows reported new totals ({@code stats}), or a
 * job arrived after the day's windows closed ({@code stats} null, {@code late} true).
 */
public record DayActivity(long epochDay, boolean late, DailyStats stats) {

    public static DayActivity of(DailyStats stats) {
        return new DayActivity(stats.epochDay(), false, stats);
    }

    public static DayActivity lateJob(long epochDay) {
        return new DayActivity(epochDay, true, null);
    }
}
