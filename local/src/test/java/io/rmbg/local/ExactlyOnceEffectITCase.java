package io.rmbg.local;

import org.apache.flink.configuration.Configuration;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rmbg.core.blob.ContentAddress;
import io.rmbg.core.blob.S3BlobStore;
import io.rmbg.core.event.ImageEventParser;
import io.rmbg.core.records.SourceRecord;
import io.rmbg.job.PipelineSinks;
import io.rmbg.job.RmbgJob;
import io.rmbg.job.RmbgPipeline;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.job.sinks.JobRowStatement;
import io.rmbg.testkit.SyntheticModels;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;

import static io.rmbg.local.Events.JSON;
import static io.rmbg.local.Events.b64;
import static io.rmbg.local.TopicRecords.header;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nothing lost, nothing duplicated: 2 000 events, good and bad mixed, through the real pipeline
 * while failures are injected inside the async inference, in the blob store, in the JDBC sink
 * (while buffering, after a flush, in the checkpoint's synchronous phase) and after a completed
 * checkpoint. Each failure restarts the job from its last checkpoint; afterwards the committed
 * output must equal the input: one terminal row per usable record, never touched again once
 * terminal, every dead letter once per source position, every blob where its row says, and the
 * daily statistics equal to their recomputation.
 */
class ExactlyOnceEffectITCase extends PipelineITCaseBase {
    private static final int EVENTS = 2000;

    @Override
    PipelineConfig.Builder settings(Path dataDir) throws Exception {
        Path model = dataDir.resolve("colour-key-320.onnx");
        SyntheticModels.writeColourKeyModel(model, 320);
        return PipelineConfig.builder()
                .set(ConfigKeys.MODEL_PATH, model.toString())
                .set(ConfigKeys.MODEL_PROFILE, "u2net")
                .set(ConfigKeys.MODEL_INTRA_OP_THREADS, 1)
                .set(ConfigKeys.KAFKA_STARTING_OFFSETS, "earliest")
                .set(ConfigKeys.CHECKPOINT_INTERVAL_MS, 1000)
                .set(ConfigKeys.STATS_UPDATE_INTERVAL_MS, 500)
                .set(ConfigKeys.STATS_RECONCILE_QUIET_MS, 3000)
                .set(ConfigKeys.JDBC_BATCH_SIZE, 50)
                // Every job computes (three images, reused, would need a few dozen model calls):
                // the injected failures then strike mid-run, one restart each, as the test counts.
                // ResultReuseITCase covers reuse.
                .set(ConfigKeys.REUSE_ENABLED, "false");
    }

    /** Production's restart strategy: each injected failure restarts from the last checkpoint. */
    @Override
    Configuration jobConfiguration(PipelineConfig config) {
        return RmbgJob.jobConfiguration(config);
    }

    /** The production pipeline with {@link ChaosJdbcSink} for rows and {@link ChaosRemoval}. */
    @Override
    RmbgPipeline pipeline(PipelineConfig config) {
        PipelineSinks real = RmbgJob.sinks(config);
        PipelineSinks sinks =
                new PipelineSinks(
                        new ChaosJdbcSink<>(
                                RmbgJob.jdbcSink(
                                        JobRowStatement.SQL, new JobRowStatement(), config),
                                "rows"),
                        real.traces(),
                        real.deadLetters(),
                        real.dailyStats(),
                        real.errorStats(),
                        real.recomputedDays());
        return new RmbgPipeline(RmbgJob.kafkaSource(config), sinks)
                .withBackgroundRemoval(ChaosRemoval::create);
    }

    @AfterEach
    void disarm() {
        Chaos.reset();
    }

    @Test
    void committedOutputEqualsInputAcrossInjectedFailures() throws Exception {
        installTerminalRowAudit();
        Input input = produce();

        Chaos.arm("remove.invoke", 300);
        Chaos.arm("remove.complete", 700);
        Chaos.arm("blob.put", 1500);
        Chaos.arm("rows.write", 400);
        Chaos.arm("rows.after-flush", 15);
        Chaos.arm("rows.snapshot", 4);
        Chaos.arm("rows.snapshot-state", 6);
        Chaos.arm("rows.checkpoint-complete", 8);

        startJob("rmbg-chaos");
        awaitTerminalRows(input.usable.size(), Duration.ofMinutes(6));
        assertThat(Chaos.report()).as("every injected failure happened").doesNotContainValue(false);

        Map<String, String> rows = rows();
        assertThat(rows.keySet()).isEqualTo(input.usable.keySet());
        Map<String, String> wrong = new java.util.TreeMap<>();
        input.usable.forEach(
                (id, want) -> {
                    if (!want.equals(rows.get(id))) {
                        wrong.put(id, "expected " + want + ", row says " + rows.get(id));
                    }
                });
        assertThat(wrong).as("rows whose outcome differs from the input's").isEmpty();
        assertThat(db().count("SELECT count(*) FROM terminal_row_audit"))
                .as("terminal rows moved back or to another user")
                .isZero();
        checkDeadLetters(input.deadLetterPositions);
        checkBlobs();
        checkTraces(input.usable.keySet());
        // Every column, the average included: replayed attempts take other times than the first.
        db().awaitStatsEqualRecomputation(Duration.ofMinutes(1));

        FlinkRest rest = rest();
        int restarts =
                rest.get("/jobs/" + rest.jobId() + "/exceptions")
                        .path("exceptionHistory")
                        .path("entries")
                        .size();
        assertThat(restarts).isGreaterThanOrEqualTo(Chaos.report().size() - 1);
        System.out.printf(
                "chaos: %d events in, %d rows out, %d dead letters, %d injected failures,"
                        + " %d restarts, 0 duplicates, 0 lost%n",
                EVENTS,
                rows.size(),
                input.deadLetterPositions.size(),
                Chaos.report().size(),
                restarts);
    }

    /**
     * Records every update that moves a row already completed or failed back to another status, or
     * to another user. (A replayed attempt may replace a terminal row with its own terminal result:
     * that is how row, trace and statistics agree on the last attempt.)
     */
    private void installTerminalRowAudit() throws Exception {
        StackQueries db = db();
        db.execute(
                "CREATE TABLE terminal_row_audit (job_id UUID, old_status TEXT, new_status TEXT)");
        db.execute(
                "CREATE FUNCTION audit_terminal() RETURNS trigger AS $$ BEGIN"
                        + " INSERT INTO terminal_row_audit VALUES (OLD.job_id, OLD.status, NEW.status); RETURN NEW;"
                        + " END $$ LANGUAGE plpgsql");
        db.execute(
                "CREATE TRIGGER audit_terminal BEFORE UPDATE ON image_process_jobs FOR EACH ROW"
                        + " WHEN (OLD.status IN ('completed', 'failed') AND (NEW.status NOT IN ('completed', 'failed')"
                        + " OR NEW.user_id <> OLD.user_id)) EXECUTE FUNCTION audit_terminal()");
    }

    /** What was sent: job id → expected "status:error_code", and the dead letters' positions. */
    private record Input(Map<String, String> usable, Set<String> deadLetterPositions) {}

    private Input produce() throws Exception {
        String topic = eventsTopic();
        List<String> goodImages =
                List.of(
                        b64(SampleImages.png(48, 32)),
                        b64(SampleImages.jpeg(64, 64)),
                        b64(SampleImages.pngWithAlpha(40, 40)),
                        b64(SampleImages.gif(24, 36)));
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        List<String> expectations = new ArrayList<>();
        List<String> explicitIds = new ArrayList<>();
        try (EventProducer producer =
                new EventProducer(
                        stack().kafkaBootstrapServers(),
                        Map.of(ProducerConfig.LINGER_MS_CONFIG, "20"))) {
            for (int i = 0; i < EVENTS; i++) {
                String user = "user-" + (i % 37);
                ObjectNode e = JSON.createObjectNode().put("user_id", user);
                String expected;
                switch (i % 20) {
                    case 0 -> {
                        sent.add(
                                producer.sendAsync(
                                        new ProducerRecord<>(
                                                topic, ("{broken " + i).getBytes(UTF_8))));
                        expectations.add("dlq");
                        explicitIds.add(null);
                        continue;
                    }
                    case 1 -> {
                        e.put("image_uri", "s3://rmbg/uploads/" + user + "/missing/" + i + ".png");
                        expected = "failed:SOURCE_NOT_FOUND";
                    }
                    case 2 -> {
                        e.put("image_base64", goodImages.get(0))
                                .putObject("params")
                                .put("threshold", 7);
                        expected = "failed:INVALID_EVENT";
                    }
                    case 3 -> {
                        e.put("image_base64", b64(BadImages.notAnImage()));
                        expected = "failed:UNSUPPORTED_FORMAT";
                    }
                    default -> {
                        e.put("image_base64", goodImages.get(i % goodImages.size()));
                        expected = "completed:null";
                    }
                }
                String jobId =
                        i % 8 == 5 ? null : UUID.randomUUID().toString(); // some derive their id
                if (jobId != null) {
                    e.put("job_id", jobId);
                }
                explicitIds.add(jobId);
                expectations.add(expected);
                sent.add(producer.sendAsync(new ProducerRecord<>(topic, Events.bytes(e))));
            }
            producer.flush();
        }
        Map<String, String> usable = new HashMap<>();
        Set<String> dead = new HashSet<>();
        for (int i = 0; i < EVENTS; i++) {
            RecordMetadata m = sent.get(i).get();
            if (expectations.get(i).equals("dlq")) {
                dead.add(m.partition() + "@" + m.offset());
                continue;
            }
            String jobId =
                    explicitIds.get(i) != null
                            ? explicitIds.get(i)
                            : ImageEventParser.derivedJobId(
                                    new SourceRecord(topic, m.partition(), m.offset(), 0, null));
            usable.put(jobId, expectations.get(i));
        }
        return new Input(usable, dead);
    }

    private void checkDeadLetters(Set<String> expected) {
        // At-least-once: a restart may write a dead letter again; its source position identifies
        // it.
        Set<String> positions = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : deadLetters(0)) {
            positions.add(header(r, "source_partition") + "@" + header(r, "source_offset"));
            assertThat(header(r, "error_code")).isEqualTo("INVALID_EVENT");
        }
        assertThat(positions).isEqualTo(expected);
    }

    private void checkBlobs() throws Exception {
        Set<String> uris = new HashSet<>();
        for (List<String> paths :
                db().rows(
                                "SELECT original_path, mask_path, processed_path"
                                        + " FROM image_process_jobs WHERE status = 'completed'")) {
            uris.addAll(paths);
        }
        assertThat(uris).isNotEmpty();
        try (S3BlobStore s3 = new S3BlobStore(config().s3())) {
            for (String uri : uris) {
                byte[] bytes = s3.get(uri, Long.MAX_VALUE);
                assertThat(uri.substring(uri.lastIndexOf('/') + 1))
                        .startsWith(ContentAddress.sha256Hex(bytes));
            }
        }
    }

    private void checkTraces(Set<String> jobIds) throws Exception {
        // At-least-once, keyed by job id: the last trace of each job is the attempt its row holds.
        Map<String, String> lastTrace = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : traces(0)) {
            var trace = JSON.readTree(r.value());
            lastTrace.put(
                    new String(r.key(), UTF_8),
                    trace.get("status").asText() + ":" + trace.get("processing_time_ms").asLong());
        }
        assertThat(lastTrace.keySet()).isEqualTo(jobIds);
        Map<String, String> rowAttempts =
                db().map(
                                "SELECT job_id, status || ':' || coalesce(processing_time_ms, 0) FROM image_process_jobs");
        assertThat(rowAttempts)
                .as("each row holds the attempt of its job's last trace")
                .isEqualTo(lastTrace);
    }

    private void awaitTerminalRows(int n, Duration timeout) throws Exception {
        // The injected failures must have happened too: a restart may still be on its way.
        Poll.until(
                timeout,
                Duration.ofSeconds(1),
                () ->
                        db().count(
                                        "SELECT count(*) FROM image_process_jobs WHERE "
                                                + StackQueries.TERMINAL),
                seen -> seen >= n && !Chaos.report().containsValue(false),
                seen -> "saw " + seen + " of " + n + " rows; injected: " + Chaos.report());
    }

    private Map<String, String> rows() throws Exception {
        return db().map(
                        "SELECT job_id, status || ':' || coalesce(error_code, 'null')"
                                + " || CASE WHEN status = 'failed' AND error_code NOT IN ('SOURCE_NOT_FOUND', 'INVALID_EVENT',"
                                + " 'UNSUPPORTED_FORMAT') THEN ' (' || error_message || ')' ELSE '' END"
                                + " FROM image_process_jobs");
    }
}
