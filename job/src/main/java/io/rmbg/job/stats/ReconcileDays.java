package io.rmbg.job.stats;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Per day, who writes the statistics. The windows are the fast path: they pass on (main output) for
 * every day this job's state has seen from its start. The rows of {@code image_process_jobs} are
 * the truth: a day is recomputed from them ({@link #RECOMPUTE}) when
 *
 * <ul>
 *   <li>a job arrives after its day's windows closed (a back-fill, a replay after a long outage);
 *   <li>the day began before this job's state did (a first start, or a restart without a
 *       checkpoint, in the middle of a day): its windows never saw the day's earlier jobs, so they
 *       do not write it at all;
 *   <li>it changes within {@code watchAfterRestore} of a restore: replayed attempts may end
 *       differently from the first ones (another error code), and counts that only grow cannot take
 *       a code back.
 * </ul>
 *
 * A recomputation waits until the day has been quiet for {@code quiet} (so the rows of its last
 * jobs are written: keep it above the checkpoint interval, after which every row is), and at most
 * {@code maxWait} under a steady stream of changes. One key, a few entries of state: the days
 * waiting and when the state began.
 */
public final class ReconcileDays extends KeyedProcessFunction<Integer, DayActivity, DailyStats>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    /** The one key: routing and recomputation are rare and tiny; one subtask does them. */
    public static final int KEY = 0;

    /** Days (epoch day numbers) to recompute from the rows. */
    public static final OutputTag<Long> RECOMPUTE = new OutputTag<>("days-to-recompute") {};

    private final ZoneId zone;
    private final long quietMillis;
    private final long maxWaitMillis;
    private final long watchAfterRestoreMillis;

    /** Day → {first flagged, last activity}, for the days waiting to be recomputed. */
    private transient MapState<Long, long[]> waiting;

    private transient ValueState<Long> stateBegan;
    private transient long restoredAt = Long.MIN_VALUE;
    private transient Counter recomputed;

    public ReconcileDays(
            ZoneId zone, Duration quiet, Duration maxWait, Duration watchAfterRestore) {
        this.zone = zone;
        this.quietMillis = quiet.toMillis();
        this.maxWaitMillis = maxWait.toMillis();
        this.watchAfterRestoreMillis = watchAfterRestore.toMillis();
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {
        if (context.isRestored()) {
            restoredAt = System.currentTimeMillis();
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        // Keyed state only.
    }

    @Override
    public void open(OpenContext openContext) {
        waiting =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "days-to-recompute",
                                        Types.LONG,
                                        PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        stateBegan =
                getRuntimeContext().getState(new ValueStateDescriptor<>("state-began", Types.LONG));
        recomputed = getRuntimeContext().getMetricGroup().counter("statsDaysReconciled");
    }

    @Override
    public void processElement(DayActivity activity, Context ctx, Collector<DailyStats> out)
            throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        if (stateBegan.value() == null) {
            stateBegan.update(now);
        }
        boolean seenWhole = dayStart(activity.epochDay()) >= stateBegan.value();
        if (activity.stats() != null && seenWhole) {
            out.collect(activity.stats());
        }
        boolean restoredLately =
                restoredAt != Long.MIN_VALUE && now - restoredAt <= watchAfterRestoreMillis;
        long[] times = waiting.get(activity.epochDay());
        if (times != null || activity.late() || !seenWhole || restoredLately) {
            long first = times == null ? now : times[0];
            waiting.put(activity.epochDay(), new long[] {first, now});
            ctx.timerService()
                    .registerProcessingTimeTimer(
                            Math.min(now + quietMillis, first + maxWaitMillis));
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<DailyStats> out)
            throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        List<Long> due = new ArrayList<>();
        for (Map.Entry<Long, long[]> e : waiting.entries()) {
            if (now >= e.getValue()[1] + quietMillis || now >= e.getValue()[0] + maxWaitMillis) {
                due.add(e.getKey());
            }
        }
        for (Long day : due) {
            waiting.remove(day);
            recomputed.inc();
            ctx.output(RECOMPUTE, day);
        }
    }

    private long dayStart(long epochDay) {
        return LocalDate.ofEpochDay(epochDay).atStartOfDay(zone).toInstant().toEpochMilli();
    }
}
