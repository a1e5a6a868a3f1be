package io.rmbg.job.stats;

/**
 * Something happened to a day's statistics: the windows reported new totals ({@code late} false),
 * or a job arrived after the day's windows closed ({@code late} true).
 */
public record DayActivity(long epochDay, boolean late) {

    public static DayActivity of(DailyStats stats) {
        return new DayActivity(stats.epochDay(), false);
    }

    public static DayActivity lateJob(long epochDay) {
        return new DayActivity(epochDay, true);
    }
}
