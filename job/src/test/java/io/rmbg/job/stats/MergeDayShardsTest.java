package io.rmbg.job.stats;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class MergeDayShardsTest {
    private static final long DAY = LocalDate.of(2026, 11, 16).toEpochDay();
    private static final long END_OF_DAY =
            CalendarDayWindows.windowOf(LocalDate.ofEpochDay(DAY), ZoneOffset.UTC).maxTimestamp();

    @Test
    void eachShardsLatestReportReplacesItsPreviousOne() throws Exception {
        try (var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new MergeDayShards(Duration.ofDays(1))),
                        DailyStats::epochDay,
                        Types.LONG)) {
            harness.open();
            harness.processElement(new StreamRecord<>(shard(0, 2, 1), END_OF_DAY));
            harness.processElement(new StreamRecord<>(shard(1, 5, 0), END_OF_DAY));
            harness.processElement(new StreamRecord<>(shard(0, 3, 1), END_OF_DAY));

            assertThat(harness.extractOutputValues())
                    .extracting(s -> s.counts().total())
                    .containsExactly(3L, 8L, 9L);
            DailyStats last = harness.extractOutputValues().get(2);
            assertThat(last.shard()).isEqualTo(DailyStats.ALL_SHARDS);
            assertThat(last.counts().completed).isEqualTo(8);
            assertThat(last.counts().failedByCode).containsEntry("INFERENCE", 1L);
        }
    }

    private static DailyStats shard(int shard, int completed, int failed) {
        JobCounts c = new JobCounts();
        c.completed = completed;
        c.completedMillis = completed * 100L;
        c.failed = failed;
        if (failed > 0) {
            c.failedByCode.put("INFERENCE", (long) failed);
        }
        return new DailyStats(DAY, shard, c, 0);
    }
}
