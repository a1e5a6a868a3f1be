package io.rmbg.job.stats;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decides which days' statistics to recompute from {@code image_process_jobs} (the table is the
 * truth; the windows are the fast path). A day is recomputed when
 *
 * <ul>
 *   <li>a job arrives after its day's windows closed (a back-fill, a replay after a long outage):
 *       the windows can no longer count it;
 *   <li>it changes within {@code watchAfterRestore} of a restore: attempts replayed after a failover
 *       may end differently from the first ones (another error code), and counts that only grow
 *       cannot take a code back.
 * </ul>
 *
 * The recomputation waits until the day has been quiet for {@code quiet} (so that the rows of its
 * last jobs are written; keep it above the checkpoint interval, after which every row is), and at
 * most {@code maxWait} under a steady stream of changes. State holds only the days waiting: one
 * key, a few entries.
 */
public final class ReconcileDays extends KeyedProcessFunction<Integer, DayActivity, Long>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    /** The one key: reconciliation is rare and tiny, one subtask does it. */
    public static final int KEY = 0;

    private final long quietMillis;
    private final long maxWaitMillis;
    private final long watchAfterRestoreMillis;

    /** Day → {first flagged, last activity}, for the days waiting to be recomputed. */
    private transient MapState<Long, long[]> waiting;
    private transient long restoredAt = Long.MIN_VALUE;
    private transient Counter reconciled;

    public ReconcileDays(Duration quiet, Duration maxWait, Duration watchAfterRestore) {
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
        waiting = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("days-to-reconcile", Types.LONG,
                        PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        reconciled = getRuntimeContext().getMetricGroup().counter("statsDaysReconciled");
    }

    @Override
    public void processElement(DayActivity activity, Context ctx, Collector<Long> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        long[] times = waiting.get(activity.epochDay());
        boolean restoredLately = restoredAt != Long.MIN_VALUE && now - restoredAt <= watchAfterRestoreMillis;
        boolean watched = times != null || activity.late() || restoredLately;
        if (!watched) {
            return;
        }
        long first = times == null ? now : times[0];
        waiting.put(activity.epochDay(), new long[] {first, now});
        ctx.timerService().registerProcessingTimeTimer(Math.min(now + quietMillis, first + maxWaitMillis));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Long> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        List<Long> due = new ArrayList<>();
        for (Map.Entry<Long, long[]> e : waiting.entries()) {
            long first = e.getValue()[0];
            long last = e.getValue()[1];
            if (now >= last + quietMillis || now >= first + maxWaitMillis) {
                due.add(e.getKey());
            }
        }
        for (Long day : due) {
            waiting.remove(day);
            reconciled.inc();
            out.collect(day);
        }
    }
}
