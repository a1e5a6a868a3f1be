package io.rmbg.job.stats;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReconcileDaysTest {
    private static final Duration QUIET = Duration.ofSeconds(30);
    private static final Duration MAX_WAIT = Duration.ofMinutes(2);
    private static final Duration AFTER_RESTORE = Duration.ofMinutes(10);
    private static final long DAY = 20_000;
    private static final long DAY_START =
            LocalDate.ofEpochDay(DAY).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();

    private static KeyedOneInputStreamOperatorTestHarness<Integer, DayActivity, DailyStats>
            harness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(
                        new ReconcileDays(ZoneOffset.UTC, QUIET, MAX_WAIT, AFTER_RESTORE)),
                a -> ReconcileDays.KEY,
                Types.INT);
    }

    private static DayActivity windowsReport(long epochDay) {
        return DayActivity.of(new DailyStats(epochDay, DailyStats.ALL_SHARDS, new JobCounts(), 1));
    }

    private static List<Long> recomputed(
            KeyedOneInputStreamOperatorTestHarness<Integer, DayActivity, DailyStats> h) {
        var out = h.getSideOutput(ReconcileDays.RECOMPUTE);
        return out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void theWindowsWriteTheDaysTheirStateSawWhole() throws Exception {
        try (var h = harness()) {
            h.open();
            h.setProcessingTime(DAY_START - 1_000); // the state began before the day
            h.processElement(new StreamRecord<>(windowsReport(DAY)));
            h.setProcessingTime(DAY_START + 3_600_000);
            h.processElement(new StreamRecord<>(windowsReport(DAY)));
            assertThat(h.extractOutputValues())
                    .extracting(DailyStats::epochDay)
                    .containsExactly(DAY, DAY);
            assertThat(recomputed(h)).isEmpty();
        }
    }

    @Test
    void aLateJobsDayIsRecomputedOnceItHasBeenQuiet() throws Exception {
        try (var h = harness()) {
            h.open();
            h.setProcessingTime(DAY_START + 1_000);
            h.processElement(new StreamRecord<>(DayActivity.lateJob(DAY)));
            h.setProcessingTime(DAY_START + 20_000);
            h.processElement(new StreamRecord<>(DayActivity.lateJob(DAY))); // another: wait on
            h.setProcessingTime(DAY_START + 45_000);
            assertThat(recomputed(h)).isEmpty();
            h.setProcessingTime(DAY_START + 50_000);
            assertThat(recomputed(h)).containsExactly(DAY);
            h.setProcessingTime(DAY_START + 500_000);
            assertThat(recomputed(h)).as("once per quiet spell").containsExactly(DAY);
        }
    }

    @Test
    void aSteadyStreamOfChangesStillGetsItsDayRecomputedWithinTheMaximumWait() throws Exception {
        try (var h = harness()) {
            h.open();
            for (long t = 0; t <= MAX_WAIT.toMillis() + 20_000; t += 10_000) {
                h.setProcessingTime(DAY_START + t);
                h.processElement(new StreamRecord<>(DayActivity.lateJob(DAY)));
            }
            assertThat(recomputed(h)).contains(DAY);
        }
    }

    @Test
    void aDayThatBeganBeforeTheStateIsLeftToTheRows() throws Exception {
        try (var h = harness()) {
            h.open();
            h.setProcessingTime(DAY_START + 3_600_000); // a first start at 01:00
            h.processElement(new StreamRecord<>(windowsReport(DAY)));
            h.processElement(new StreamRecord<>(windowsReport(DAY + 1)));
            h.setProcessingTime(DAY_START + 3_600_000 + QUIET.toMillis());
            assertThat(h.extractOutputValues())
                    .as("the windows never saw the day's first hour")
                    .extracting(DailyStats::epochDay)
                    .containsExactly(DAY + 1);
            assertThat(recomputed(h)).containsExactly(DAY);
        }
    }

    @Test
    void daysThatChangeAfterARestoreAreAlsoRecomputed() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            h.setProcessingTime(DAY_START);
            h.processElement(new StreamRecord<>(windowsReport(DAY)));
            h.setProcessingTime(DAY_START + 100_000);
            assertThat(recomputed(h)).isEmpty();
            snapshot = h.snapshot(1, DAY_START + 100_000);
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            long now = System.currentTimeMillis(); // the restore is stamped with the wall clock
            h.setProcessingTime(now);
            h.processElement(new StreamRecord<>(windowsReport(DAY)));
            h.setProcessingTime(now + QUIET.toMillis());
            assertThat(h.extractOutputValues()).as("the windows still write it").hasSize(1);
            assertThat(recomputed(h)).as("and the rows correct it").containsExactly(DAY);
        }
    }
}
