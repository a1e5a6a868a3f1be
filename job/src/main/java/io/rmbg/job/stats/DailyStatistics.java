package io.rmbg.job.stats;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;

/**
 * Daily statistics of finished jobs (docs/contracts.md §5): event-time windows of one calendar day
 * per shard of the job ids, merged per day, with early results while the day is open.
 *
 * <pre>
 * outcomes → watermarks (quiet-period aware) → keyBy(shard) → day windows (early + on-time
 * firing, allowed lateness) → keyBy(day) → merge shards → DailyStats
 *                                          └ later than allowed → days to recompute from the table
 * </pre>
 */
public final class DailyStatistics {
    static final OutputTag<JobOutcome> LATE = new OutputTag<>("late-jobs") {};

    private final ZoneId zone;
    private final int shards;
    private final Duration updateInterval;
    private final Duration allowedLateness;
    private final Duration outOfOrderness;
    private final Duration quietPeriod;

    public DailyStatistics(
            ZoneId zone,
            int shards,
            Duration updateInterval,
            Duration allowedLateness,
            Duration outOfOrderness,
            Duration quietPeriod) {
        this.zone = zone;
        this.shards = shards;
        this.updateInterval = updateInterval;
        this.allowedLateness = allowedLateness;
        this.outOfOrderness = outOfOrderness;
        this.quietPeriod = quietPeriod;
    }

    /**
     * What the statistics produce.
     *
     * @param daily running totals per day; each element replaces the previous one of its day
     * @param lateJobs the days of jobs that arrived after their day's windows closed
     */
    public record Days(DataStream<DailyStats> daily, DataStream<DayActivity> lateJobs) {}

    public Days apply(DataStream<JobOutcome> outcomes) {
        Duration ooo = outOfOrderness;
        Duration quiet = quietPeriod;
        CalendarDayWindows days = new CalendarDayWindows(zone);
        int shardCount = shards;

        SingleOutputStreamOperator<DailyStats> perShard =
                outcomes.assignTimestampsAndWatermarks(
                                WatermarkStrategy.<JobOutcome>forGenerator(
                                                ctx ->
                                                        new QuietPeriodWatermarks<>(
                                                                ooo, quiet, Clock.systemUTC()))
                                        .withTimestampAssigner((o, ts) -> o.eventTimeMillis()))
                        .name("Event time: created_at")
                        .uid("stats-watermarks")
                        .keyBy(o -> o.shard(shardCount), Types.INT)
                        .window(days)
                        .trigger(new EarlyFiringTrigger(updateInterval))
                        .allowedLateness(allowedLateness)
                        .sideOutputLateData(LATE)
                        .aggregate(new CountJobs(), new LabelShardDay(days))
                        .name("Count jobs per day and shard")
                        .uid("stats-day-windows");

        DataStream<DayActivity> late =
                perShard.getSideOutput(LATE)
                        .process(new CountLateJobs(zone))
                        .name("Late jobs (days to recompute)")
                        .uid("stats-late-jobs");

        DataStream<DailyStats> daily =
                perShard.keyBy(DailyStats::epochDay, Types.LONG)
                        .process(new MergeDayShards(allowedLateness))
                        .name("Merge shards per day")
                        .uid("stats-merge-days");
        return new Days(daily, late);
    }
}
