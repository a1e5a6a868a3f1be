package io.rmbg.local;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;

import com.fasterxml.jackson.databind.JsonNode;
import io.rmbg.core.blob.S3BlobStore;
import io.rmbg.core.blob.S3Uri;
import io.rmbg.core.event.ImageEventParser;
import io.rmbg.core.records.SourceRecord;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.testkit.SyntheticModels;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.rmbg.local.Events.JSON;
import static io.rmbg.local.TopicRecords.header;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hostile corpus through the whole pipeline — Kafka, the real job on a MiniCluster at
 * parallelism 2, PostgreSQL, S3 and the real sinks — not only through the processor: every record
 * must end as a row or a dead letter with the expected code, the job must never restart, and a
 * canary sent after the corpus must complete.
 */
class HostileCorpusITCase extends PipelineITCaseBase {
    private static final long MAX_INLINE = 1 << 20;

    @Override
    PipelineConfig.Builder settings(Path dataDir) throws Exception {
        Path model = dataDir.resolve("colour-key-320.onnx");
        SyntheticModels.writeColourKeyModel(model, 320);
        // A second model whose output is NaN: its images must fail, not complete transparent.
        Path nan = dataDir.resolve("nan.onnx");
        SyntheticModels.writeNanModel(nan, 1024);
        return PipelineConfig.builder()
                .set(ConfigKeys.MODEL_PATH, model.toString())
                .set(ConfigKeys.MODEL_PROFILE, "u2net")
                .set(ConfigKeys.MODEL_ADDITIONAL, "rmbg-2.0=" + nan)
                .set(ConfigKeys.MODEL_INTRA_OP_THREADS, 1)
                .set(ConfigKeys.KAFKA_STARTING_OFFSETS, "earliest")
                .set(ConfigKeys.CHECKPOINT_INTERVAL_MS, 2000)
                .set(ConfigKeys.IMAGE_MAX_INLINE_BYTES, MAX_INLINE)
                .set(ConfigKeys.STATS_UPDATE_INTERVAL_MS, 500)
                .set(ConfigKeys.STATS_RECONCILE_QUIET_MS, 3000);
    }

    @Test
    void everyHostileRecordEndsAsARowOrDeadLetterAndTheJobNeverRestarts() throws Exception {
        List<HostileInputs.Fixture> corpus =
                new ArrayList<>(HostileInputs.corpus(bucket(), MAX_INLINE));
        corpus.addAll(HostileInputs.pipelineCorpus(EmbeddedKafka.MAX_MESSAGE_BYTES));
        String topic = eventsTopic();

        JobClient job = startJob("rmbg-hostile-corpus");
        // Sent to one partition in order, so that a job id's first user comes first.
        Map<Long, HostileInputs.Fixture> byOffset = produce(topic, corpus);
        String canary = UUID.randomUUID().toString();
        produce(
                topic,
                List.of(
                        new HostileInputs.Fixture(
                                "canary",
                                Events.bytes(
                                        Events.inline("canary", SampleImages.png(64, 64))
                                                .put("job_id", canary)),
                                "completed")));

        Map<String, String> expectedRows = new LinkedHashMap<>();
        Map<Long, String> expectedDeadLetters = new LinkedHashMap<>();
        for (Map.Entry<Long, HostileInputs.Fixture> e : byOffset.entrySet()) {
            String expected = e.getValue().expected();
            if (expected.startsWith("dlq")) {
                expectedDeadLetters.put(
                        e.getKey(),
                        expected.equals("dlq") ? "INVALID_EVENT" : expected.substring(4));
            } else {
                expectedRows.merge(
                        jobId(topic, e.getKey(), e.getValue().value()),
                        expected,
                        (first, later) ->
                                first); // a re-used job id: the first event's outcome stands
            }
        }

        db().awaitCount(
                        "SELECT count(*) FROM image_process_jobs WHERE job_id = '" + canary + "'",
                        1,
                        Duration.ofMinutes(3));
        db().awaitCount(
                        "SELECT count(*) FROM image_process_jobs",
                        expectedRows.size() + 1,
                        Duration.ofMinutes(2));
        Map<String, String> actual = outcomes();
        for (Map.Entry<String, String> e : expectedRows.entrySet()) {
            assertThat(actual.get(e.getKey()))
                    .as(
                            "outcome of job %s (%s)",
                            e.getKey(), fixtureOf(byOffset, topic, e.getKey()))
                    .isEqualTo(e.getValue());
        }
        assertThat(actual.get(canary)).isEqualTo("completed");
        assertThat(actual).hasSize(expectedRows.size() + 1);

        checkDeadLetters(byOffset, expectedDeadLetters);
        checkFutureDatedJobCountsToday();
        db().awaitStatsEqualRecomputation(Duration.ofMinutes(1));

        FlinkRest rest = rest();
        // A job that restarted went through RESTARTING (its timestamp is set) and has a
        // failure.
        assertThat(rest.get("/jobs/" + job.getJobID()).get("timestamps").get("RESTARTING").asLong())
                .as("time the job entered RESTARTING")
                .isZero();
        assertThat(
                        rest.get("/jobs/" + job.getJobID() + "/exceptions")
                                .get("exceptionHistory")
                                .get("entries"))
                .as("job failures")
                .isEmpty();
        assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        rest.awaitCounter("Remove background", "nonFiniteOutputs", 1, Duration.ofSeconds(30));
    }

    /**
     * The job id the pipeline gives a record: its valid job_id, else one derived from its position.
     */
    private static String jobId(String topic, long offset, byte[] value) {
        try {
            JsonNode id = JSON.readTree(value).get("job_id");
            if (id != null && id.isTextual() && id.textValue().length() == 36) {
                return UUID.fromString(id.textValue()).toString();
            }
        } catch (Exception e) {
            // not JSON, or no usable job id: derived
        }
        return ImageEventParser.derivedJobId(new SourceRecord(topic, 0, offset, 0, value));
    }

    private static String fixtureOf(
            Map<Long, HostileInputs.Fixture> byOffset, String topic, String jobId) {
        return byOffset.entrySet().stream()
                .filter(e -> jobId(topic, e.getKey(), e.getValue().value()).equals(jobId))
                .map(e -> e.getValue().name())
                .findFirst()
                .orElse("?");
    }

    private void checkDeadLetters(
            Map<Long, HostileInputs.Fixture> byOffset, Map<Long, String> expected)
            throws Exception {
        List<ConsumerRecord<byte[], byte[]>> letters = deadLetters(expected.size());
        Map<Long, String> codes = new HashMap<>();
        try (S3BlobStore s3 = new S3BlobStore(config().s3())) {
            for (ConsumerRecord<byte[], byte[]> letter : letters) {
                long offset = Long.parseLong(header(letter, "source_offset"));
                codes.put(offset, header(letter, "error_code"));
                assertThat(header(letter, "error_message")).isNotBlank();
                HostileInputs.Fixture fixture = byOffset.get(offset);
                String valueUri = header(letter, "value_uri");
                if (header(letter, "error_code").equals("JOB_ID_CONFLICT")) {
                    // Refused after parsing: the value is the event as understood, for the same
                    // user.
                    assertThat(JSON.readTree(letter.value()).get("user_id").asText())
                            .isEqualTo("mallory");
                } else if (valueUri != null) {
                    assertThat(letter.value()).isEmpty();
                    S3Uri uri = S3Uri.parse(valueUri);
                    assertThat(uri.key()).startsWith("dead-letters/");
                    assertThat(
                                    s3.client()
                                            .getObjectAsBytes(
                                                    b -> b.bucket(uri.bucket()).key(uri.key()))
                                            .asByteArray())
                            .isEqualTo(fixture.value());
                } else {
                    assertThat(letter.value())
                            .as("dead letter of %s", fixture)
                            .isEqualTo(fixture.value());
                }
            }
        }
        assertThat(codes).isEqualTo(expected);
        assertThat(letters).hasSize(expected.size());
    }

    /** A job dated next year keeps that date in its row but counts on the day it was processed. */
    private void checkFutureDatedJobCountsToday() throws Exception {
        List<List<String>> future =
                db().rows(
                                "SELECT created_at > now() + interval '300 days',"
                                        + " "
                                        + StatsRecomputation.DAY
                                        + " = current_date FROM image_process_jobs"
                                        + " WHERE created_at > now() + interval '1 day'");
        assertThat(future).containsExactly(List.of("t", "t"));
    }

    private Map<Long, HostileInputs.Fixture> produce(
            String topic, List<HostileInputs.Fixture> fixtures) throws Exception {
        Map<Long, HostileInputs.Fixture> byOffset = new LinkedHashMap<>();
        try (EventProducer producer = producer()) {
            for (HostileInputs.Fixture f : fixtures) {
                long offset =
                        producer.send(new ProducerRecord<>(topic, 0, null, f.value())).offset();
                byOffset.put(offset, f);
            }
        }
        return byOffset;
    }

    /** status, or failed:CODE, per job id. */
    private Map<String, String> outcomes() throws Exception {
        Map<String, String> out = new HashMap<>();
        for (List<String> r :
                db().rows("SELECT job_id, status, error_code FROM image_process_jobs")) {
            out.put(r.get(0), r.get(1).equals("failed") ? "failed:" + r.get(2) : r.get(1));
        }
        return out;
    }
}
