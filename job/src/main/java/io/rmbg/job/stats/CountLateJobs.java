package io.rmbg.job.stats;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.LocalDate;
import java.time.ZoneId;

/**
 * Jobs whose day closed longer ago than the allowed lateness (back-fills, replays after a long
 * outage): the day's windows are gone, so the day is recomputed from the table instead ({@link
 * ReconcileDays}). Counted in the {@code lateJobs} metric and logged.
 */
public final class CountLateJobs extends ProcessFunction<JobOutcome, DayActivity> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CountLateJobs.class);

    private final ZoneId zone;
    private transient Counter late;

    public CountLateJobs(ZoneId zone) {
        this.zone = zone;
    }

    @Override
    public void open(OpenContext openContext) {
        late = getRuntimeContext().getMetricGroup().counter("lateJobs");
    }

    @Override
    public void processElement(JobOutcome job, Context ctx, Collector<DayActivity> out) {
        late.inc();
        LocalDate day = CalendarDayWindows.dayOf(job.eventTimeMillis(), zone);
        LOG.info(
                "Job {} counts on {}, whose windows closed (beyond the allowed lateness): that day"
                        + " will be recomputed from image_process_jobs",
                job.jobId(),
                day);
        out.collect(DayActivity.lateJob(day.toEpochDay()));
    }
}
