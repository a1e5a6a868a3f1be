package io.rmbg.job.functions;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.event.ParseOutcome;
import io.rmbg.core.records.DeadLetter;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.ImageEventJson;
import io.rmbg.core.records.JobResult;
import io.rmbg.core.records.SourceRecord;

import java.time.Duration;

/**
 * A job id belongs to the user whose event named it first: later events of the same user pass (a
 * re-send or a replay; "first result per job" keeps one outcome), events of another user are
 * refused as {@code JOB_ID_CONFLICT} dead letters before any work is done, so they can neither
 * overwrite nor hide the first user's job. Keyed by job id, in arrival order; valid events go on to
 * be processed, events that failed validation leave on {@link #REJECTED} as failed results. Owners
 * are remembered for {@code retention}; past it, the row upsert's user guard still keeps another
 * user's result out of an existing row.
 */
public final class ClaimJobIds
        extends KeyedProcessFunction<String, ParseOutcome.Named, ImageEvent> {
    private static final long serialVersionUID = 1L;

    /** Events that failed validation, as failed results, once their job id is theirs. */
    public static final OutputTag<JobResult> REJECTED = new OutputTag<>("rejected-events") {};

    /** Events naming another user's job id. */
    public static final OutputTag<DeadLetter> CONFLICTS = new OutputTag<>("job-id-conflicts") {};

    private final Duration retention;
    private transient ValueState<String> owner;
    private transient Counter conflicts;

    public ClaimJobIds(Duration retention) {
        this.retention = retention;
    }

    /** The key: the job id the outcome names. */
    public static String jobId(ParseOutcome.Named outcome) {
        return outcome.event().jobId();
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<String> descriptor =
                new ValueStateDescriptor<>("job-owner", Types.STRING);
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(retention).build());
        owner = getRuntimeContext().getState(descriptor);
        conflicts = getRuntimeContext().getMetricGroup().counter("jobIdConflicts");
    }

    @Override
    public void processElement(ParseOutcome.Named outcome, Context ctx, Collector<ImageEvent> out)
            throws Exception {
        ImageEvent event = outcome.event();
        if (!claim(event)) {
            conflicts.inc();
            ctx.output(CONFLICTS, conflict(event));
        } else if (outcome instanceof ParseOutcome.Rejected rejected) {
            ctx.output(
                    REJECTED,
                    JobResult.failed(
                            event,
                            rejected.errorCode(),
                            rejected.errorMessage(),
                            System.currentTimeMillis()));
        } else {
            out.collect(event);
        }
    }

    /** Whether the job id is (now) this event's user's. */
    private boolean claim(ImageEvent event) throws Exception {
        String first = owner.value();
        if (first == null) {
            owner.update(event.userId());
            return true;
        }
        return first.equals(event.userId());
    }

    private static DeadLetter conflict(ImageEvent event) {
        return new DeadLetter(
                SourceRecord.at(
                        event.sourcePosition(),
                        event.createdAtMillis(),
                        ImageEventJson.toBytes(event)),
                ErrorCode.JOB_ID_CONFLICT,
                "job_id "
                        + event.jobId()
                        + " already names a job of another user; send the event"
                        + " without job_id (or with a new one)");
    }
}
