package io.rmbg.job.stats;

import org.apache.flink.api.common.functions.AggregateFunction;

/** Counts one shard's jobs of a day incrementally: the window keeps counts, not jobs. */
public final class CountJobs implements AggregateFunction<JobOutcome, JobCounts, JobCounts> {
    private static final long serialVersionUID = 1L;

    @Override
    public JobCounts createAccumulator() {
        return new JobCounts();
    }

    @Override
    public JobCounts add(JobOutcome outcome, JobCounts counts) {
        return counts.add(outcome);
    }

    @Override
    public JobCounts getResult(JobCounts counts) {
        return counts.copy();
    }

    @Override
    public JobCounts merge(JobCounts a, JobCounts b) {
        return a.add(b);
    }
}
