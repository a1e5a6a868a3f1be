package io.rmbg.job.stats;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.windowing.triggers.Trigger;
import org.apache.flink.streaming.api.windowing.triggers.TriggerResult;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

import java.time.Duration;

/**
 * Fires a day's window when the watermark passes its end (the final result), and while the day is
 * open at most every {@code interval} of processing time after new jobs arrive (early results), and
 * at once for each late job within the allowed lateness (a correction). Never purges: every firing
 * carries the day's running totals.
 *
 * <p>A quiet window fires nothing: the periodic timer is armed by an element, not by the clock.
 */
public final class EarlyFiringTrigger extends Trigger<Object, TimeWindow> {
    private static final long serialVersionUID = 1L;

    private final long intervalMillis;
    private final ValueStateDescriptor<Long> pendingTimer =
            new ValueStateDescriptor<>("early-firing-timer", Types.LONG);

    public EarlyFiringTrigger(Duration interval) {
        this.intervalMillis = interval.toMillis();
    }

    @Override
    public TriggerResult onElement(
            Object element, long timestamp, TimeWindow window, TriggerContext ctx)
            throws Exception {
        if (window.maxTimestamp() <= ctx.getCurrentWatermark()) {
            return TriggerResult.FIRE; // late but within lateness: correct the day now
        }
        ctx.registerEventTimeTimer(window.maxTimestamp());
        ValueState<Long> timer = ctx.getPartitionedState(pendingTimer);
        if (timer.value() == null) {
            long at = ctx.getCurrentProcessingTime() + intervalMillis;
            ctx.registerProcessingTimeTimer(at);
            timer.update(at);
        }
        return TriggerResult.CONTINUE;
    }

    @Override
    public TriggerResult onProcessingTime(long time, TimeWindow window, TriggerContext ctx)
            throws Exception {
        ctx.getPartitionedState(pendingTimer).clear();
        return TriggerResult.FIRE;
    }

    @Override
    public TriggerResult onEventTime(long time, TimeWindow window, TriggerContext ctx) {
        return time == window.maxTimestamp() ? TriggerResult.FIRE : TriggerResult.CONTINUE;
    }

    @Override
    public void clear(TimeWindow window, TriggerContext ctx) throws Exception {
        ValueState<Long> timer = ctx.getPartitionedState(pendingTimer);
        if (timer.value() != null) {
            ctx.deleteProcessingTimeTimer(timer.value());
            timer.clear();
        }
        ctx.deleteEventTimeTimer(window.maxTimestamp());
    }

    @Override
    public String toString() {
        return "EarlyFiringTrigger(" + intervalMillis + " ms)";
    }
}
