package io.rmbg.job.functions;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.ImageParams;
import io.rmbg.core.records.JobResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The first result of a job id passes, later ones are dropped, for as long as it is remembered. */
class FirstResultPerJobTest {
    private static final String JOB_A = "6f1c1a3e-2f59-4a8b-9d57-3c1e0b6a1f00";
    private static final String JOB_B = "0d9b8f1e-77aa-4c55-8e21-5b2f3c4d6e7f";
    private static final Duration RETENTION = Duration.ofMinutes(10);

    private KeyedOneInputStreamOperatorTestHarness<String, JobResult, JobResult> harness;

    @BeforeEach
    void open() throws Exception {
        harness = newHarness();
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, JobResult, JobResult> newHarness()
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new FirstResultPerJob(RETENTION)),
                JobResult::jobId,
                Types.STRING);
    }

    /** A failed result of {@code jobId}; {@code message} tells results of one job apart. */
    private static JobResult result(String jobId, String message) {
        ImageEvent event =
                new ImageEvent(
                        jobId,
                        "u1",
                        "s3://rmbg/uploads/u1/cat.jpg",
                        null,
                        ImageParams.DEFAULTS,
                        null,
                        new String[0],
                        1_000L,
                        2_000L,
                        "image-events/0@1");
        return JobResult.failed(event, ErrorCode.INFERENCE, message, 3_000L);
    }

    private void send(JobResult result) throws Exception {
        harness.processElement(new StreamRecord<>(result));
    }

    @Test
    void aSecondResultOfTheSameJobIsDropped() throws Exception {
        send(result(JOB_A, "first"));
        send(result(JOB_B, "other job"));
        send(result(JOB_A, "re-sent event"));

        assertThat(harness.extractOutputValues())
                .extracting(JobResult::errorMessage)
                .containsExactly("first", "other job");
    }

    @Test
    void seenJobsSurviveARestoreFromACheckpoint() throws Exception {
        send(result(JOB_A, "first"));
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = newHarness();
        harness.initializeState(snapshot);
        harness.open();
        send(result(JOB_A, "replayed after the restore"));
        send(result(JOB_B, "new job"));

        assertThat(harness.extractOutputValues())
                .extracting(JobResult::errorMessage)
                .containsExactly("new job");
    }

    @Test
    void aJobIdIsForgottenAfterTheRetention() throws Exception {
        harness.setStateTtlProcessingTime(0);
        send(result(JOB_A, "first"));
        harness.setStateTtlProcessingTime(RETENTION.toMillis() - 1);
        send(result(JOB_A, "within the retention"));
        harness.setStateTtlProcessingTime(RETENTION.toMillis() + 1);
        send(result(JOB_A, "after the retention"));

        assertThat(harness.extractOutputValues())
                .extracting(JobResult::errorMessage)
                .containsExactly("first", "after the retention");
    }
}
