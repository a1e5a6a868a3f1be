package io.rmbg.job.stats;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.operators.windowing.WindowOperatorBuilder;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The day window of one shard: midnight, early results, late jobs inside and beyond lateness. */
class DayWindowTest {
    private static final ZoneId UTC = ZoneOffset.UTC;
    private static final LocalDate MONDAY = LocalDate.of(2026, 11, 16);
    private static final LocalDate TUESDAY = MONDAY.plusDays(1);
    private static final long MONDAY_NOON = at(MONDAY, 12);
    private static final long LAST_MS_OF_MONDAY =
            CalendarDayWindows.windowOf(MONDAY, UTC).maxTimestamp();
    private static final long TUESDAY_MIDNIGHT = LAST_MS_OF_MONDAY + 1;
    private static final Duration EARLY = Duration.ofSeconds(10);
    private static final Duration LATENESS = Duration.ofDays(1);
    private static final KeySelector<JobOutcome, Integer> ONE_SHARD = o -> 0;

    private KeyedOneInputStreamOperatorTestHarness<Integer, JobOutcome, DailyStats> harness;

    @BeforeEach
    void open() throws Exception {
        CalendarDayWindows days = new CalendarDayWindows(UTC);
        WindowOperatorBuilder<JobOutcome, Integer, TimeWindow> builder =
                new WindowOperatorBuilder<>(
                        days,
                        new EarlyFiringTrigger(EARLY),
                        new ExecutionConfig(),
                        TypeInformation.of(JobOutcome.class),
                        ONE_SHARD,
                        Types.INT);
        builder.allowedLateness(LATENESS);
        builder.sideOutputLateData(DailyStatistics.LATE);
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        builder.aggregate(
                                new CountJobs(),
                                new LabelShardDay(days),
                                TypeInformation.of(JobCounts.class)),
                        ONE_SHARD,
                        Types.INT);
        harness.open();
        harness.setProcessingTime(0);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void midnightSeparatesTheDays() throws Exception {
        job(completed(LAST_MS_OF_MONDAY, 100));
        job(failed(TUESDAY_MIDNIGHT, "IMAGE_DECODE"));
        harness.processWatermark(
                new Watermark(CalendarDayWindows.windowOf(TUESDAY, UTC).maxTimestamp()));

        assertThat(days()).containsExactly(MONDAY, TUESDAY);
        assertThat(output().get(0).counts().completed).isEqualTo(1);
        assertThat(output().get(0).counts().completedMillis).isEqualTo(100);
        assertThat(output().get(1).counts().failed).isEqualTo(1);
        assertThat(output().get(1).counts().failedByCode).containsEntry("IMAGE_DECODE", 1L);
    }

    @Test
    void anOpenDayReportsEveryIntervalWhileJobsArrive() throws Exception {
        job(completed(MONDAY_NOON, 10));
        assertThat(output()).isEmpty();

        harness.setProcessingTime(EARLY.toMillis());
        assertThat(totals()).containsExactly(1L);

        job(completed(MONDAY_NOON + 1, 10));
        job(failed(MONDAY_NOON + 2, "STORAGE"));
        harness.setProcessingTime(2 * EARLY.toMillis());
        assertThat(totals()).containsExactly(1L, 3L);

        // No new jobs, no new report.
        harness.setProcessingTime(10 * EARLY.toMillis());
        assertThat(totals()).containsExactly(1L, 3L);

        harness.processWatermark(new Watermark(LAST_MS_OF_MONDAY));
        assertThat(totals()).containsExactly(1L, 3L, 3L);
    }

    @Test
    void aLateJobWithinTheLatenessCorrectsItsDayAtOnce() throws Exception {
        job(completed(MONDAY_NOON, 10));
        harness.processWatermark(new Watermark(LAST_MS_OF_MONDAY + Duration.ofHours(5).toMillis()));
        assertThat(totals()).containsExactly(1L);

        job(failed(MONDAY_NOON, "SOURCE_NOT_FOUND"));
        assertThat(totals()).containsExactly(1L, 2L);
        assertThat(harness.getSideOutput(DailyStatistics.LATE)).isNullOrEmpty();
    }

    @Test
    void aJobLaterThanTheLatenessIsCountedAsLateNotLost() throws Exception {
        job(completed(MONDAY_NOON, 10));
        harness.processWatermark(new Watermark(LAST_MS_OF_MONDAY + LATENESS.toMillis() + 1));
        assertThat(totals()).containsExactly(1L);

        JobOutcome late = completed(MONDAY_NOON, 10);
        job(late);
        assertThat(totals()).containsExactly(1L);
        assertThat(harness.getSideOutput(DailyStatistics.LATE))
                .extracting(StreamRecord::getValue)
                .containsExactly(late);
    }

    private void job(JobOutcome o) throws Exception {
        harness.processElement(new StreamRecord<>(o, o.eventTimeMillis()));
    }

    private List<DailyStats> output() {
        return harness.extractOutputValues();
    }

    private List<LocalDate> days() {
        return output().stream().map(DailyStats::day).toList();
    }

    private List<Long> totals() {
        return output().stream().map(s -> s.counts().total()).toList();
    }

    static JobOutcome completed(long createdAt, long millis) {
        return new JobOutcome(UUID.randomUUID().toString(), createdAt, true, millis, null);
    }

    static JobOutcome failed(long createdAt, String code) {
        return new JobOutcome(UUID.randomUUID().toString(), createdAt, false, 5, code);
    }

    private static long at(LocalDate day, int hour) {
        return day.atTime(hour, 0).toInstant(ZoneOffset.UTC).toEpochMilli();
    }
}
