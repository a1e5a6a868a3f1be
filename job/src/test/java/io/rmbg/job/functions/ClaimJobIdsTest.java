package io.rmbg.job.functions;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.event.ParseOutcome;
import io.rmbg.core.records.DeadLetter;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.ImageParams;
import io.rmbg.core.records.JobResult;
import io.rmbg.core.records.JobStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

class ClaimJobIdsTest {
    private static final String JOB = "6f1c1a3e-2f59-4a8b-9d57-3c1e0b6a1f00";
    private KeyedOneInputStreamOperatorTestHarness<String, ParseOutcome.Named, ImageEvent> harness;

    @BeforeEach
    void open() throws Exception {
        harness = newHarness();
        harness.open();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ParseOutcome.Named, ImageEvent>
            newHarness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ClaimJobIds(Duration.ofDays(7))),
                ClaimJobIds::jobId,
                Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private static ImageEvent event(String user, long offset) {
        return new ImageEvent(
                JOB,
                user,
                "s3://rmbg/uploads/" + user + ".png",
                null,
                ImageParams.DEFAULTS,
                "{\"k\":1}",
                new String[] {"t"},
                1_000L,
                2_000L,
                "image-events/3@" + offset);
    }

    @Test
    void theFirstUserKeepsTheJobIdAndAnotherUsersEventBecomesAConflictDeadLetter()
            throws Exception {
        harness.processElement(new StreamRecord<>(new ParseOutcome.Accepted(event("alice", 10))));
        harness.processElement(
                new StreamRecord<>(
                        new ParseOutcome.Accepted(event("alice", 11)))); // a re-send: passes
        harness.processElement(new StreamRecord<>(new ParseOutcome.Accepted(event("mallory", 12))));
        harness.processElement(
                new StreamRecord<>(
                        new ParseOutcome.Rejected(
                                event("mallory", 13), ErrorCode.INVALID_EVENT, "bad")));

        assertThat(harness.extractOutputValues())
                .extracting(ImageEvent::userId)
                .containsExactly("alice", "alice");
        assertThat(harness.getSideOutput(ClaimJobIds.REJECTED)).isNull();
        List<DeadLetter> conflicts =
                harness.getSideOutput(ClaimJobIds.CONFLICTS).stream()
                        .map(StreamRecord::getValue)
                        .toList();
        assertThat(conflicts)
                .hasSize(2)
                .allSatisfy(
                        d -> {
                            assertThat(d.errorCode()).isEqualTo(ErrorCode.JOB_ID_CONFLICT);
                            assertThat(d.errorMessage()).contains(JOB).doesNotContain("alice");
                            assertThat(d.source().topic()).isEqualTo("image-events");
                            assertThat(d.source().partition()).isEqualTo(3);
                        });
        assertThat(conflicts).extracting(d -> d.source().offset()).containsExactly(12L, 13L);
        JsonNode value =
                new ObjectMapper().readTree(new String(conflicts.get(0).source().value(), UTF_8));
        assertThat(value.get("user_id").asText()).isEqualTo("mallory");
        assertThat(value.get("image_uri").asText()).isEqualTo("s3://rmbg/uploads/mallory.png");
        assertThat(value.get("params").get("k").asInt()).isEqualTo(1);
    }

    @Test
    void anInvalidEventClaimsItsJobIdAndBecomesAFailedResult() throws Exception {
        harness.processElement(
                new StreamRecord<>(
                        new ParseOutcome.Rejected(
                                event("bob", 1), ErrorCode.INVALID_EVENT, "tags must be strings")));
        harness.processElement(new StreamRecord<>(new ParseOutcome.Accepted(event("eve", 2))));

        List<JobResult> failed =
                harness.getSideOutput(ClaimJobIds.REJECTED).stream()
                        .map(StreamRecord::getValue)
                        .toList();
        assertThat(failed)
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.userId()).isEqualTo("bob");
                            assertThat(r.status()).isEqualTo(JobStatus.FAILED);
                            assertThat(r.errorMessage()).isEqualTo("tags must be strings");
                        });
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.getSideOutput(ClaimJobIds.CONFLICTS)).hasSize(1);
    }

    @Test
    void ownersSurviveARestoreFromACheckpoint() throws Exception {
        harness.processElement(new StreamRecord<>(new ParseOutcome.Accepted(event("alice", 1))));
        var snapshot = harness.snapshot(1, 1);
        harness.close();
        harness = newHarness();
        harness.initializeState(snapshot);
        harness.open();
        harness.processElement(new StreamRecord<>(new ParseOutcome.Accepted(event("mallory", 2))));
        harness.processElement(new StreamRecord<>(new ParseOutcome.Accepted(event("alice", 1))));
        assertThat(harness.extractOutputValues())
                .extracting(ImageEvent::userId)
                .containsExactly("alice");
        assertThat(harness.getSideOutput(ClaimJobIds.CONFLICTS)).hasSize(1);
    }
}
