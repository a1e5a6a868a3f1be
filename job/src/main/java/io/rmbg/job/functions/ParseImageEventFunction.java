package io.rmbg.job.functions;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import io.rmbg.core.blob.SourcePolicy;
import io.rmbg.core.crypto.BlobSealer;
import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.event.ImageEventParser;
import io.rmbg.core.event.ParseOutcome;
import io.rmbg.core.process.ImageLimits;
import io.rmbg.core.records.DeadLetter;
import io.rmbg.core.records.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses and validates raw events. Events that name a job go on, valid ones ({@link
 * ParseOutcome.Accepted}) and invalid ones ({@link ParseOutcome.Rejected}, to end as failed rows)
 * in one stream, so that their order per job id holds; records without a usable job id or user id
 * leave on {@link #DEAD_LETTERS} with their original bytes.
 */
public class ParseImageEventFunction extends ProcessFunction<SourceRecord, ParseOutcome.Named> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ParseImageEventFunction.class);

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    private final ImageEventParser parser;

    private final BlobSealer sealer;

    public ParseImageEventFunction(ImageLimits limits, SourcePolicy sources) {
        this(limits, sources, BlobSealer.OFF);
    }

    /**
     * Seals the inline image of each sensitive event as it is read ({@link BlobSealer#sealInline}),
     * so that it never sits in a checkpoint in the clear.
     */
    public ParseImageEventFunction(ImageLimits limits, SourcePolicy sources, BlobSealer sealer) {
        this.parser = new ImageEventParser(limits, sources);
        this.sealer = sealer;
    }

    @Override
    public void processElement(
            SourceRecord record, Context ctx, Collector<ParseOutcome.Named> out) {
        long now = System.currentTimeMillis();
        ParseOutcome outcome = parseGuarded(record, now);
        if (outcome instanceof ParseOutcome.Accepted accepted) {
            out.collect(new ParseOutcome.Accepted(sealer.sealInline(accepted.event())));
        } else if (outcome instanceof ParseOutcome.Named named) {
            out.collect(named);
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
            LOG.warn(
                    "Record {} could not be parsed; sending it to the dead letters",
                    record.position(),
                    e);
            return new ParseOutcome.DeadLettered(
                    new DeadLetter(
                            record,
                            ErrorCode.INVALID_EVENT,
                            "the record could not be read as an event ("
                                    + e.getClass().getSimpleName()
                                    + ")"));
        }
    }
}
