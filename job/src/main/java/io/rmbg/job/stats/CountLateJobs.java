package io.rmbg.job.stats;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jobs whose day closed longer ago than the allowed lateness: their rows exist, but the day's
 * statistics no longer change. Counted in the {@code lateJobs} metric and logged, never dropped
 * silently.
 */
public final class CountLateJobs extends ProcessFunction<JobOutcome, Void> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CountLateJobs.class);

    private transient Counter late;

    @Override
    public void open(OpenContext openContext) {
        late = getRuntimeContext().getMetricGroup().counter("lateJobs");
    }

    @Override
    public void processElement(JobOutcome job, Context ctx, Collector<Void> out) {
        late.inc();
        LOG.warn("Job {} created at {} arrived after its day closed (beyond the allowed lateness);"
                + " processing_stats for that day no longer counts it", job.jobId(),
                java.time.Instant.ofEpochMilli(job.eventTimeMillis()));
    }
}
