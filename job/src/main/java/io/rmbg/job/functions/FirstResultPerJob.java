package io.rmbg.job.functions;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import io.rmbg.core.records.JobResult;

import java.time.Duration;

/**
 * Lets through the first result of each job id and drops the rest: a re-sent event must not count
 * twice in the statistics nor write a second trace. Mirrors the row upsert, which keeps the first
 * terminal row. Job ids are remembered for {@code retention} (state TTL).
 */
public final class FirstResultPerJob extends KeyedProcessFunction<String, JobResult, JobResult> {
    private static final long serialVersionUID = 1L;

    private final Duration retention;
    private transient ValueState<Boolean> seen;
    private transient Counter duplicates;

    public FirstResultPerJob(Duration retention) {
        this.retention = retention;
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<Boolean> descriptor =
                new ValueStateDescriptor<>("job-seen", Types.BOOLEAN);
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(retention).build());
        seen = getRuntimeContext().getState(descriptor);
        duplicates = getRuntimeContext().getMetricGroup().counter("duplicateResults");
    }

    @Override
    public void processElement(JobResult result, Context ctx, Collector<JobResult> out)
            throws Exception {
        if (seen.value() != null) {
            duplicates.inc();
            return;
        }
        seen.update(true);
        out.collect(result);
    }
}
