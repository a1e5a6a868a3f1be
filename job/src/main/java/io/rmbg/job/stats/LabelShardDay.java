package io.rmbg.job.stats;

import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** Labels a shard's running counts with their day, for the per-day merge downstream. */
public final class LabelShardDay
        extends ProcessWindowFunction<JobCounts, DailyStats, Integer, TimeWindow> {
    private static final long serialVersionUID = 1L;

    private final CalendarDayWindows days;

    public LabelShardDay(CalendarDayWindows days) {
        this.days = days;
    }

    @Override
    public void process(
            Integer shard, Context ctx, Iterable<JobCounts> counts, Collector<DailyStats> out) {
        for (JobCounts c : counts) {
            out.collect(
                    new DailyStats(
                            days.dayOf(ctx.window()).toEpochDay(),
                            shard,
                            c,
                            ctx.currentProcessingTime()));
        }
    }
}
