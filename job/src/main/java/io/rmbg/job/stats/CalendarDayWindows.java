package io.rmbg.job.stats;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.streaming.api.windowing.assigners.WindowAssigner;
import org.apache.flink.streaming.api.windowing.triggers.EventTimeTrigger;
import org.apache.flink.streaming.api.windowing.triggers.Trigger;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;

/**
 * Event-time tumbling windows of one calendar day in a time zone. Unlike a fixed 24-hour tumbling
 * window with an offset, days of 23 or 25 hours (daylight saving changes) come out right.
 */
public final class CalendarDayWindows extends WindowAssigner<Object, TimeWindow> {
    private static final long serialVersionUID = 1L;

    private final ZoneId zone;

    public CalendarDayWindows(ZoneId zone) {
        this.zone = zone;
    }

    public static LocalDate dayOf(long timestampMillis, ZoneId zone) {
        return Instant.ofEpochMilli(timestampMillis).atZone(zone).toLocalDate();
    }

    public static TimeWindow windowOf(LocalDate day, ZoneId zone) {
        return new TimeWindow(
                day.atStartOfDay(zone).toInstant().toEpochMilli(),
                day.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli());
    }

    /** The day a window of this assigner covers. */
    public LocalDate dayOf(TimeWindow window) {
        return dayOf(window.getStart(), zone);
    }

    @Override
    public List<TimeWindow> assignWindows(
            Object element, long timestamp, WindowAssignerContext context) {
        return List.of(windowOf(dayOf(timestamp, zone), zone));
    }

    @Override
    public Trigger<Object, TimeWindow> getDefaultTrigger() {
        return EventTimeTrigger.create();
    }

    @Override
    public TypeSerializer<TimeWindow> getWindowSerializer(ExecutionConfig executionConfig) {
        return new TimeWindow.Serializer();
    }

    @Override
    public boolean isEventTime() {
        return true;
    }

    @Override
    public String toString() {
        return "CalendarDayWindows(" + zone + ")";
    }
}
