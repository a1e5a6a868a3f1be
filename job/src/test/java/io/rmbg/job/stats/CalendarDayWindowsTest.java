package io.rmbg.job.stats;

import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;

class CalendarDayWindowsTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @Test
    void aDayIsTheCalendarDayOfTheZoneEvenAcrossDaylightSaving() {
        LocalDate springForward = LocalDate.of(2026, 3, 29);
        TimeWindow w = CalendarDayWindows.windowOf(springForward, BERLIN);
        assertThat(Duration.ofMillis(w.getEnd() - w.getStart())).isEqualTo(Duration.ofHours(23));
        assertThat(Instant.ofEpochMilli(w.getStart()))
                .isEqualTo(Instant.parse("2026-03-28T23:00:00Z"));

        long lateEvening = Instant.parse("2026-03-29T21:59:59.999Z").toEpochMilli();
        assertThat(new CalendarDayWindows(BERLIN).assignWindows(null, lateEvening, null))
                .containsExactly(w);
        assertThat(CalendarDayWindows.dayOf(lateEvening + 1, BERLIN))
                .isEqualTo(springForward.plusDays(1));
    }
}
