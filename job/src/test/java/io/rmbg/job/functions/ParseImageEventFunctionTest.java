package io.rmbg.job.functions;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.event.ParseOutcome;
import io.rmbg.core.records.DeadLetter;
import io.rmbg.core.records.SourceRecord;
import io.rmbg.job.config.PipelineConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The parse operator with the job's default limits and source policy: events that name a job stay
 * on the main output in their order, valid or not; everything else leaves as a dead letter with its
 * original bytes, and no record can fail the job.
 */
class ParseImageEventFunctionTest {
    private static final String JOB = "6f1c1a3e-2f59-4a8b-9d57-3c1e0b6a1f00";
    private static final String OWN_UPLOAD = "s3://rmbg/uploads/u1/cat.jpg";

    private OneInputStreamOperatorTestHarness<SourceRecord, ParseOutcome.Named> harness;

    @BeforeEach
    void open() throws Exception {
        PipelineConfig config = PipelineConfig.defaults();
        harness =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(
                                new ParseImageEventFunction(
                                        config.imageLimits(), config.sourcePolicy())));
        // The output type the job declares (an interface, so Kryo), not the first record's class
        // that ProcessFunctionTestHarnesses would derive: accepted and rejected events share it.
        harness.setup(
                TypeInformation.of(ParseOutcome.Named.class)
                        .createSerializer(harness.getExecutionConfig().getSerializerConfig()));
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private static SourceRecord record(long offset, byte[] value) {
        return new SourceRecord("image-events", 0, offset, 1_000L, value);
    }

    private static SourceRecord record(long offset, String json) {
        return record(offset, json.getBytes(UTF_8));
    }

    private static String event(String imageUri, String extra) {
        return "{\"job_id\":\""
                + JOB
                + "\",\"user_id\":\"u1\",\"image_uri\":\""
                + imageUri
                + "\""
                + extra
                + "}";
    }

    private void send(SourceRecord record) throws Exception {
        harness.processElement(new StreamRecord<>(record, record.timestampMillis()));
    }

    private List<DeadLetter> deadLetters() {
        var side = harness.getSideOutput(ParseImageEventFunction.DEAD_LETTERS);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void validAndInvalidEventsOfAJobStayOnTheMainOutputInOrder() throws Exception {
        send(record(1, event(OWN_UPLOAD, "")));
        send(record(2, event(OWN_UPLOAD, ",\"tags\":7")));
        send(record(3, event("s3://rmbg/uploads/u2/dog.jpg", "")));

        List<ParseOutcome.Named> out = harness.extractOutputValues();
        assertThat(out).extracting(n -> n.event().jobId()).containsOnly(JOB);
        assertThat(out)
                .extracting(n -> n.event().sourceReference())
                .containsExactly(OWN_UPLOAD, OWN_UPLOAD, "s3://rmbg/uploads/u2/dog.jpg");
        assertThat(out.get(0)).isInstanceOf(ParseOutcome.Accepted.class);
        assertThat(out.get(1))
                .isInstanceOfSatisfying(
                        ParseOutcome.Rejected.class,
                        r -> assertThat(r.errorCode()).isEqualTo(ErrorCode.INVALID_EVENT));
        assertThat(out.get(2))
                .as("another user's folder")
                .isInstanceOfSatisfying(
                        ParseOutcome.Rejected.class,
                        r -> assertThat(r.errorCode()).isEqualTo(ErrorCode.SOURCE_NOT_ALLOWED));
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void recordsWithoutAUsableUserOrJobIdBecomeDeadLettersWithTheirBytes() throws Exception {
        byte[] noUser = "{\"image_uri\":\"s3://rmbg/uploads/u1/cat.jpg\"}".getBytes(UTF_8);
        byte[] notJson = {(byte) 0xff, 'n', 'o', 't'};
        send(record(7, noUser));
        send(record(8, notJson));
        send(record(9, "{\"job_id\":\"not-a-uuid\",\"user_id\":\"u1\"}"));

        assertThat(harness.extractOutputValues()).isEmpty();
        List<DeadLetter> letters = deadLetters();
        assertThat(letters).extracting(DeadLetter::errorCode).containsOnly(ErrorCode.INVALID_EVENT);
        assertThat(letters).extracting(d -> d.source().offset()).containsExactly(7L, 8L, 9L);
        assertThat(letters.get(0).source().value()).isEqualTo(noUser);
        assertThat(letters.get(1).source().value()).isEqualTo(notJson);
        assertThat(letters.get(0).errorMessage()).contains("user_id");
        assertThat(letters.get(2).errorMessage()).contains("job_id");
    }

    @Test
    void aRecordTheParserCannotReadBecomesADeadLetterInsteadOfFailingTheJob() throws Exception {
        // No value at all (the Kafka deserializer maps tombstones to empty bytes; other sources
        // need not): the parser throws, the guard turns that into a dead letter.
        send(record(11, (byte[]) null));
        send(record(12, event(OWN_UPLOAD, "")));

        assertThat(deadLetters())
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.errorCode()).isEqualTo(ErrorCode.INVALID_EVENT);
                            assertThat(d.errorMessage())
                                    .startsWith("the record could not be read as an event");
                            assertThat(d.source().offset()).isEqualTo(11L);
                        });
        assertThat(harness.extractOutputValues())
                .as("the next record is parsed as usual")
                .singleElement()
                .isInstanceOf(ParseOutcome.Accepted.class);
    }
}
