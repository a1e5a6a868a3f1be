package io.rmbg.job.stats;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** An idle subtask or a quiet night must not hold the watermark back. */
class QuietPeriodWatermarksTest {
    private static final Duration OUT_OF_ORDER = Duration.ofMinutes(1);
    private static final Duration QUIET = Duration.ofMinutes(5);
    private static final long T0 = Instant.parse("2026-11-20T12:00:00Z").toEpochMilli();

    private final MutableClock clock = new MutableClock(T0);
    private final List<Long> emitted = new ArrayList<>();
    private final WatermarkOutput output =
            new WatermarkOutput() {
                @Override
                public void emitWatermark(Watermark watermark) {
                    emitted.add(watermark.getTimestamp());
                }

                @Override
                public void markIdle() {}

                @Override
                public void markActive() {}
            };
    private final QuietPeriodWatermarks<String> watermarks =
            new QuietPeriodWatermarks<>(OUT_OF_ORDER, QUIET, clock);

    @Test
    void followsTheEventsWhileTheyArrive() {
        watermarks.onEvent("a", T0 - 3_600_000, output);
        watermarks.onPeriodicEmit(output);
        assertThat(emitted).containsExactly(T0 - 3_600_000 - OUT_OF_ORDER.toMillis() - 1);
    }

    @Test
    void aSubtaskThatNeverSeesAnEventStillAdvancesAfterTheQuietPeriod() {
        watermarks.onPeriodicEmit(output);
        assertThat(emitted).isEmpty();

        clock.advance(QUIET);
        watermarks.onPeriodicEmit(output);
        assertThat(emitted).containsExactly(clock.millis() - OUT_OF_ORDER.toMillis() - 1);
    }

    @Test
    void aQuietStreamMovesToTheWallClockAndNeverBack() {
        watermarks.onEvent("old", T0 - 86_400_000L, output);
        clock.advance(QUIET.plusSeconds(1));
        watermarks.onPeriodicEmit(output);
        long quiet = clock.millis() - OUT_OF_ORDER.toMillis() - 1;
        assertThat(emitted).containsExactly(quiet);

        watermarks.onEvent("older still", T0 - 2 * 86_400_000L, output);
        watermarks.onPeriodicEmit(output);
        assertThat(emitted).containsExactly(quiet);
    }

    private static final class MutableClock extends Clock {
        private long now;

        MutableClock(long now) {
            this.now = now;
        }

        void advance(Duration d) {
            now += d.toMillis();
        }

        @Override
        public long millis() {
            return now;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now);
        }

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
