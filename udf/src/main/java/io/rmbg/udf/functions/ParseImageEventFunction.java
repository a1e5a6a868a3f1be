package io.rmbg.udf.functions;

import io.rmbg.udf.blob.SourcePolicy;
import io.rmbg.udf.event.ImageEventParser;
import io.rmbg.udf.event.ParseOutcome;
import io.rmbg.udf.process.ImageLimits;
import io.rmbg.udf.records.DeadLetter;
import io.rmbg.udf.records.ImageEvent;
import io.rmbg.udf.records.JobResult;
import io.rmbg.udf.records.SourceRecord;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Parses and validates raw events. Valid events go on; events that name a job but are invalid
 * leave as failed {@link JobResult}s on {@link #REJECTED}; records without a usable job id or user
 * id leave on {@link #DEAD_LETTERS} with their original bytes.
 */
public class ParseImageEventFunction extends ProcessFunction<SourceRecord, ImageEvent> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<JobResult> REJECTED =
            new OutputTag<>("rejected-events") {};
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters") {};

    private final ImageEventParser parser;

    public ParseImageEventFunction(ImageLimits limits, SourcePolicy sources) {
        this.parser = new ImageEventParser(limits, sources);
    }

    @Override
    public void processElement(SourceRecord record, Context ctx, Collector<ImageEvent> out) {
        long now = System.currentTimeMillis();
        ParseOutcome outcome = parser.parse(record, now);
        if (outcome instanceof ParseOutcome.Accepted accepted) {
            out.collect(accepted.event());
        } else if (outcome instanceof ParseOutcome.Rejected rejected) {
            ctx.output(REJECTED, JobResult.failed(
                    rejected.event(), rejected.errorCode(), rejected.errorMessage(), now));
        } else if (outcome instanceof ParseOutcome.DeadLettered dead) {
            ctx.output(DEAD_LETTERS, dead.deadLetter());
        }
    }
}
