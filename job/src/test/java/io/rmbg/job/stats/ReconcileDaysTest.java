package io.rmbg.job.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class ReconcileDaysTest {
    private static final Duration QUIET = Duration.ofSeconds(30);
    private static final Duration MAX_WAIT = Duration.ofMinutes(10);
    private static final Duration AFTER_RESTORE = Duration.ofMinutes(10);
    private static final long DAY = 20_000;

    private static KeyedOneInputStreamOperatorTestHarness<Integer, DayActivity, Long> harness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ReconcileDays(QUIET, MAX_WAIT, AFTER_RESTORE)),
                a -> ReconcileDays.KEY, Types.INT);
    }

    @Test
    void aLateJobsDayIsRecomputedOnceItHasBeenQuiet() throws Exception {
        try (var h = harness()) {
            h.open();
            h.setProcessingTime(1_000);
            h.processElement(new StreamRecord<>(DayActivity.lateJob(DAY)));
            h.setProcessingTime(20_000);
            h.processElement(new StreamRecord<>(DayActivity.lateJob(DAY))); // another late job: wait on
            h.setProcessingTime(45_000);
            assertThat(h.extractOutputValues()).isEmpty();
            h.setProcessingTime(50_000);
            assertThat(h.extractOutputValues()).containsExactly(DAY);
            h.setProcessingTime(200_000);
            assertThat(h.extractOutputValues()).as("once per quiet spell").containsExactly(DAY);
        }
    }

    @Test
    void aSteadyStreamOfLateJobsStillGetsItsDayRecomputedWithinTheMaximumWait() throws Exception {
        try (var h = harness()) {
            h.open();
            for (long t = 0; t <= MAX_WAIT.toMillis() + 20_000; t += 10_000) {
                h.setProcessingTime(t);
                h.processElement(new StreamRecord<>(DayActivity.lateJob(DAY)));
            }
            assertThat(h.extractOutputValues()).contains(DAY);
        }
    }

    @Test
    void openDaysAreLeftToTheWindowsUnlessTheJobWasRestored() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            h.setProcessingTime(1_000);
            h.processElement(new StreamRecord<>(DayActivity.of(new DailyStats(DAY, -1, new JobCounts(), 1))));
            h.setProcessingTime(100_000);
            assertThat(h.extractOutputValues()).isEmpty();
            snapshot = h.snapshot(1, 100_000);
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            h.setProcessingTime(System.currentTimeMillis());
            h.processElement(new StreamRecord<>(DayActivity.of(new DailyStats(DAY, -1, new JobCounts(), 1))));
            h.setProcessingTime(System.currentTimeMillis() + QUIET.toMillis() + 1_000);
            assertThat(h.extractOutputValues()).as("a day that changed after a restore").containsExactly(DAY);
        }
    }
}
