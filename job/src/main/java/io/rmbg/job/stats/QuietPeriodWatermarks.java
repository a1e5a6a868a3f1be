package io.rmbg.job.stats;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

import java.time.Clock;
import java.time.Duration;

/**
 * Bounded-out-of-orderness watermarks that keep moving when no jobs arrive. After {@code quiet}
 * without events, the watermark follows the wall clock (minus the out-of-orderness bound), so that
 * a day closes even if the stream, or this subtask's share of it, goes silent: idle partitions and
 * quiet nights must not keep yesterday's row from becoming final.
 */
public final class QuietPeriodWatermarks<T> implements WatermarkGenerator<T> {
    private final long outOfOrdernessMillis;
    private final long quietMillis;
    private final Clock clock;

    private long maxTimestamp = Long.MIN_VALUE;
    private long lastEventAt;
    private long lastEmitted = Long.MIN_VALUE;

    public QuietPeriodWatermarks(Duration outOfOrderness, Duration quiet, Clock clock) {
        this.outOfOrdernessMillis = outOfOrderness.toMillis();
        this.quietMillis = quiet.toMillis();
        this.clock = clock;
        this.lastEventAt = clock.millis();
    }

    @Override
    public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
        maxTimestamp = Math.max(maxTimestamp, eventTimestamp);
        lastEventAt = clock.millis();
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        long now = clock.millis();
        long watermark =
                maxTimestamp == Long.MIN_VALUE
                        ? Long.MIN_VALUE
                        : maxTimestamp - outOfOrdernessMillis - 1;
        if (now - lastEventAt >= quietMillis) {
            watermark = Math.max(watermark, now - outOfOrdernessMillis - 1);
        }
        if (watermark > lastEmitted) {
            lastEmitted = watermark;
            output.emitWatermark(new Watermark(watermark));
        }
    }
}
