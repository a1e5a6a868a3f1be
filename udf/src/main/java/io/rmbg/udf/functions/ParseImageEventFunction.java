package io.rmbg.udf.functions;

import io.rmbg.udf.error.ErrorCode;
import io.rmbg.udf.event.ImageEventParser;
import io.rmbg.udf.event.ParseOutcome;
import io.rmbg.udf.process.ImageLimits;
import io.rmbg.udf.records.DeadLetter;
import io.rmbg.udf.records.ImageEvent;
import io.rmbg.udf.records.SourceRecord;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses and validates raw events. Valid events go on; events that name a job but are invalid
 * leave on {@link #REJECTED} (to end as failed rows); records without a usable job id or user id
 * leave on {@link #DEAD_LETTERS} with their original bytes.
 */
public class ParseImageEventFunction extends ProcessFunction<SourceRecord, ImageEvent> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ParseImageEventFunction.class);

    public static final OutputTag<ParseOutcome.Rejected> REJECTED =
            new OutputTag<>("rejected-events") {};
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters") {};

    private final ImageEventParser parser;

    public ParseImageEventFunction(ImageLimits limits) {
        this.parser = new ImageEventParser(limits);
    }

    @Override
    public void processElement(SourceRecord record, Context ctx, Collector<ImageEvent> out) {
        long now = System.currentTimeMillis();
        ParseOutcome outcome = parseGuarded(record, now);
        if (outcome instanceof ParseOutcome.Accepted accepted) {
            out.collect(accepted.event());
        } else if (outcome instanceof ParseOutcome.Rejected rejected) {
            ctx.output(REJECTED, rejected);
        } else if (outcome instanceof ParseOutcome.DeadLettered dead) {
            ctx.output(DEAD_LETTERS, dead.deadLetter());
        }
    }

    /**
     * The parser validates every field it reads, but a record must never be able to fail the job:
     * whatever slips through (a bug, a value no rule foresaw) makes the record a dead letter.
     */
    private ParseOutcome parseGuarded(SourceRecord record, long now) {
        try {
            return parser.parse(record, now);
        } catch (RuntimeException | StackOverflowError e) {
            LOG.warn("Record {} could not be parsed; sending it to the dead letters", record.position(), e);
            return new ParseOutcome.DeadLettered(new DeadLetter(record, ErrorCode.INVALID_EVENT,
                    "the record could not be read as an event (" + e.getClass().getSimpleName() + ")"));
        }
    }
}
