package io.rmbg.job.stats;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.Map;

/**
 * Sums a day's shards into the day's row. Each shard reports running totals, so the latest report
 * of every shard replaces its previous one; the state of a day is dropped once no late job can
 * change it any more.
 */
public final class MergeDayShards extends KeyedProcessFunction<Long, DailyStats, DailyStats> {
    private static final long serialVersionUID = 1L;

    private final long allowedLatenessMillis;
    private transient MapState<Integer, JobCounts> shards;

    public MergeDayShards(Duration allowedLateness) {
        this.allowedLatenessMillis = allowedLateness.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        shards =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "day-shards",
                                        Types.INT,
                                        TypeInformation.of(JobCounts.class)));
    }

    @Override
    public void processElement(DailyStats shard, Context ctx, Collector<DailyStats> out)
            throws Exception {
        shards.put(shard.shard(), shard.counts());
        JobCounts day = new JobCounts();
        for (Map.Entry<Integer, JobCounts> e : shards.entries()) {
            day.add(e.getValue());
        }
        out.collect(
                new DailyStats(
                        ctx.getCurrentKey(),
                        DailyStats.ALL_SHARDS,
                        day,
                        ctx.timerService().currentProcessingTime()));
        if (ctx.timestamp() != null) {
            ctx.timerService().registerEventTimeTimer(ctx.timestamp() + allowedLatenessMillis + 1);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<DailyStats> out) {
        shards.clear();
    }
}
