package io.rmbg.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rmbg.core.blob.ContentAddress;
import io.rmbg.core.blob.S3BlobStore;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.testkit.SyntheticModels;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static io.rmbg.local.Events.JSON;
import static io.rmbg.local.Events.b64;
import static io.rmbg.local.TopicRecords.header;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole pipeline on real servers: a KRaft broker, PostgreSQL, an S3 server and a Flink
 * MiniCluster at parallelism 2, with the colour-key model run by ONNX Runtime. Sends good and bad
 * events and checks every outcome the contract promises.
 */
class RmbgPipelineITCase extends PipelineITCaseBase {
    private static final Instant NOW = Instant.now();

    /**
     * Planted credentials: they must work, and must appear nowhere a person or program can read.
     */
    private static final String S3_ACCESS_KEY = "AKIAPLANTED0ACCESS0KEY";

    private static final String S3_SECRET = "planted-s3-secret-5f2b9c";
    private static final String JDBC_PASSWORD = "planted-db-password-81d7";

    /** What each sent record must end as. */
    private final Map<String, Expect> expected = new LinkedHashMap<>();

    private final List<byte[]> deadLetterValues = new ArrayList<>();
    private final List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();

    record Expect(
            String status, String errorCode, Consumer<BufferedImage> cutOutCheck, String model) {
        Expect(String status, String errorCode, Consumer<BufferedImage> cutOutCheck) {
            this(status, errorCode, cutOutCheck, "rmbg-2.0");
        }
    }

    @Override
    PipelineConfig.Builder settings(Path dataDir) throws Exception {
        Path model = dataDir.resolve("colour-key.onnx");
        SyntheticModels.writeColourKeyModel(model, 1024);
        // A second model, at U²-Net's 320², for events that ask for it with params.model.
        Path u2net = dataDir.resolve("colour-key-320.onnx");
        SyntheticModels.writeColourKeyModel(u2net, 320);
        return PipelineConfig.builder()
                .set(ConfigKeys.S3_ACCESS_KEY, S3_ACCESS_KEY)
                .set(ConfigKeys.S3_SECRET_KEY, S3_SECRET)
                .set(ConfigKeys.JDBC_PASSWORD, JDBC_PASSWORD)
                .set(ConfigKeys.MODEL_PATH, model.toString())
                .set(ConfigKeys.MODEL_PROFILE, "rmbg-2.0")
                .set(ConfigKeys.MODEL_ADDITIONAL, "u2net=" + u2net)
                .set(ConfigKeys.MODEL_INTRA_OP_THREADS, 1)
                .set(ConfigKeys.KAFKA_STARTING_OFFSETS, "earliest")
                .set(ConfigKeys.CHECKPOINT_INTERVAL_MS, 2000)
                .set(ConfigKeys.IMAGE_MAX_INLINE_BYTES, 2 * 1024 * 1024)
                .set(ConfigKeys.STATS_UPDATE_INTERVAL_MS, 500)
                .set(ConfigKeys.STATS_RECONCILE_QUIET_MS, 3000);
    }

    @Test
    void everyRecordEndsAsExactlyOneRowOrDeadLetter() throws Exception {
        upload("uploads/u-photo/photo.jpg", SampleImages.jpeg(640, 480));
        upload("uploads/u1/not-an-image.jpg", BadImages.notAnImage());
        upload("uploads/u1/truncated.jpg", BadImages.truncatedJpeg());
        upload("uploads/u1/bomb.png", BadImages.pngClaiming(50_000, 50_000));

        // Good images: each must complete, with the subject kept and the background cut away.
        good(event("u-photo").put("image_uri", uri("uploads/u-photo/photo.jpg")), 640, 480);
        goodInline(
                SampleImages.pngWithAlpha(320, 240),
                320,
                240,
                cutOut -> {
                    // The source's left quarter is transparent: it stays transparent whatever the
                    // model says.
                    assertThat(cutOut.getRGB(10, 120) >>> 24).isZero();
                });
        // Grey has no red/blue difference: the colour key is undecided (p = 0.5) everywhere.
        expected.put(
                enqueue(inline(SampleImages.greyscalePng(200, 200))),
                new Expect(
                        "completed",
                        null,
                        cutOut -> assertThat(cutOut.getRGB(100, 100) >>> 24).isBetween(120, 136)));
        goodInline(SampleImages.jpeg(8, 8), 8, 8, null);
        goodInline(SampleImages.png(1, 1), 1, 1, null);
        goodInline(SampleImages.jpeg(120, 900), 120, 900, null);
        goodInline(SampleImages.bmp(256, 192), 256, 192, null);
        goodInline(SampleImages.gif(150, 150), 150, 150, null);
        for (int i = 0; i < 12; i++) {
            int w = 96 + 32 * i;
            int h = 480 - 16 * i;
            good(inline(SampleImages.png(w, h)), w, h);
        }
        String withBackground =
                enqueue(
                        event("u-bg")
                                .put("image_base64", b64(SampleImages.png(300, 200)))
                                .set(
                                        "params",
                                        JSON.readTree(
                                                "{\"background\":\"#00FF00\",\"threshold\":0.5}")));
        expected.put(
                withBackground,
                new Expect(
                        "completed",
                        null,
                        cutOut -> {
                            assertThat(cutOut.getColorModel().hasAlpha()).isFalse();
                            assertThat(cutOut.getRGB(5, 5) & 0xFFFFFF).isEqualTo(0x00FF00);
                            assertThat(cutOut.getRGB(150, 100) & 0xFFFFFF)
                                    .isEqualTo(SampleImages.SUBJECT.getRGB() & 0xFFFFFF);
                        }));

        // Bad images and bad fields: each ends as a failed row with its error code.
        // params.model picks the additional model; one the job does not serve is an invalid event.
        String viaU2net =
                enqueue(
                        event("u-u2net")
                                .put("image_base64", b64(SampleImages.png(400, 300)))
                                .set("params", JSON.readTree("{\"model\":\"u2net\"}")));
        expected.put(viaU2net, new Expect("completed", null, discCutOut(400, 300), "u2net"));
        failed(
                event("u1")
                        .put("image_base64", b64(SampleImages.png(40, 30)))
                        .set("params", JSON.readTree("{\"model\":\"isnet\"}")),
                "INVALID_EVENT");
        failed(event("u1").put("image_uri", uri("uploads/u1/missing.jpg")), "SOURCE_NOT_FOUND");
        // Outside source.allowed (by default each user's own uploads/<user_id>/): refused unread.
        failed(event("u1").put("image_uri", "s3://no-such-bucket/x.jpg"), "SOURCE_NOT_ALLOWED");
        failed(
                event("u2").put("image_uri", uri("uploads/u-photo/photo.jpg")),
                "SOURCE_NOT_ALLOWED");
        failed(
                event("u1").put("image_uri", uri("uploads/u1/not-an-image.jpg")),
                "UNSUPPORTED_FORMAT");
        failed(event("u1").put("image_uri", uri("uploads/u1/truncated.jpg")), "IMAGE_DECODE");
        failed(event("u1").put("image_uri", uri("uploads/u1/bomb.png")), "IMAGE_TOO_LARGE");
        failed(
                event("u1").put("image_base64", b64(BadImages.pngClaiming(20_000, 20_000))),
                "IMAGE_TOO_LARGE");
        failed(event("u1").put("image_base64", "!!! not base64 !!!"), "INVALID_EVENT");
        failed(event("u1").put("image_uri", "https://example.com/a.jpg"), "INVALID_EVENT");
        failed(
                event("u1").put("image_uri", uri("uploads/photo.jpg")).put("image_base64", "AAAA"),
                "INVALID_EVENT");
        failed(event("u1"), "INVALID_EVENT");
        failed(
                event("u1")
                        .put("image_base64", b64(SampleImages.png(4, 4)))
                        .set("params", JSON.readTree("{\"threshold\": 7}")),
                "INVALID_EVENT");
        failed(
                event("u1; DROP TABLE image_process_jobs; --")
                        .put("image_uri", "s3://rmbg/../../etc/passwd"),
                "INVALID_EVENT");

        // Unusable records: no job can be named, so they go to the dead-letter topic as they came.
        dead("{\"user_id\": \"u1\", \"image_uri\": ".getBytes(UTF_8));
        dead("not json at all".getBytes(UTF_8));
        dead(
                JSON.writeValueAsBytes(
                        JSON.createObjectNode().put("image_uri", uri("uploads/photo.jpg"))));
        dead(
                JSON.writeValueAsBytes(
                        event("u1")
                                .put("job_id", "not-a-uuid")
                                .put("image_uri", uri("uploads/photo.jpg"))));
        dead(new byte[] {(byte) 0xC3, (byte) 0x28, '{', '}'});

        // A record without a job id gets one derived from its position: it still ends as one row.
        ObjectNode noJobId =
                JSON.createObjectNode()
                        .put("user_id", "u-derived")
                        .put("image_base64", b64(SampleImages.png(64, 64)));
        records.add(new ProducerRecord<>(eventsTopic(), 0, null, Events.bytes(noJobId)));

        assertThat(records.size()).isGreaterThanOrEqualTo(30);
        EventProducer.sendAll(stack().kafkaBootstrapServers(), records);

        startJob("rmbg-it");
        int usable = expected.size() + 1;
        db().awaitTerminalRows(usable, Duration.ofMinutes(4));

        // Re-sending a finished job must not create a second row, trace or count.
        String resent = expected.keySet().iterator().next();
        Map<String, Object> before = db().jobRow(resent);
        FlinkRest rest = rest();
        send(sentValues.get(resent));
        rest.awaitCounter("First result per job", "duplicateResults", 1, Duration.ofMinutes(2));
        assertThat(db().count("SELECT count(*) FROM image_process_jobs")).isEqualTo(usable);
        assertThat(db().jobRow(resent)).isEqualTo(before);

        checkRows();
        checkDerivedJob();
        checkDeadLetters();
        checkTags();
        checkTraces(usable);
        assertThat(db().awaitStatsEqualRecomputation(Duration.ofMinutes(1))).hasSize(3);
        checkMetrics(rest);
        checkSecretsStaySecret(rest);
    }

    private void checkRows() throws Exception {
        try (S3BlobStore s3 = new S3BlobStore(config().s3())) {
            for (Map.Entry<String, Expect> e : expected.entrySet()) {
                Map<String, Object> row = db().jobRow(e.getKey());
                Expect want = e.getValue();
                assertThat(row).as("row of job %s", e.getKey()).isNotNull();
                assertThat(row.get("status"))
                        .as("status of %s: %s", e.getKey(), row)
                        .isEqualTo(want.status());
                assertThat(row.get("error_code"))
                        .as("error of %s: %s", e.getKey(), row)
                        .isEqualTo(want.errorCode());
                if (want.status().equals("failed")) {
                    assertThat((String) row.get("error_message")).isNotBlank();
                    assertThat(row.get("processed_path")).isNull();
                    continue;
                }
                assertThat(row.get("model")).as("model of %s", e.getKey()).isEqualTo(want.model());
                byte[] original = blob(s3, (String) row.get("original_path"), "original/");
                byte[] mask = blob(s3, (String) row.get("mask_path"), "mask/");
                byte[] processed = blob(s3, (String) row.get("processed_path"), "processed/");
                assertThat(row.get("file_size_kb")).isEqualTo((original.length + 1023) / 1024);

                BufferedImage maskImage = ImageIO.read(new ByteArrayInputStream(mask));
                BufferedImage cutOut = ImageIO.read(new ByteArrayInputStream(processed));
                int w = (Integer) row.get("image_width");
                int h = (Integer) row.get("image_height");
                assertThat(maskImage.getWidth()).isEqualTo(w);
                assertThat(maskImage.getHeight()).isEqualTo(h);
                assertThat(cutOut.getWidth()).isEqualTo(w);
                assertThat(cutOut.getHeight()).isEqualTo(h);
                if (want.cutOutCheck() != null) {
                    want.cutOutCheck().accept(cutOut);
                }
            }
        }
    }

    /** Disc images: the model keeps the red disc and drops the blue background. */
    private static Consumer<BufferedImage> discCutOut(int w, int h) {
        return cutOut -> {
            if (Math.min(w, h) < 48) {
                return;
            }
            int inside = 0;
            int outside = 0;
            for (int y = 0; y < h; y += 7) {
                for (int x = 0; x < w; x += 7) {
                    int alpha = cutOut.getRGB(x, y) >>> 24;
                    if (SampleImages.insideDisc(w, h, x, y, 6)) {
                        assertThat(alpha)
                                .as("alpha inside the disc at %d,%d", x, y)
                                .isGreaterThan(240);
                        inside++;
                    } else if (SampleImages.outsideDisc(w, h, x, y, 6)) {
                        assertThat(alpha)
                                .as("alpha outside the disc at %d,%d", x, y)
                                .isLessThan(15);
                        outside++;
                    }
                }
            }
            assertThat(inside).isPositive();
            assertThat(outside).isPositive();
        };
    }

    private byte[] blob(S3BlobStore s3, String uri, String prefix) throws Exception {
        assertThat(uri).startsWith("s3://" + bucket() + "/" + prefix);
        byte[] bytes = s3.get(uri, Long.MAX_VALUE);
        String key = uri.substring(uri.lastIndexOf('/') + 1);
        assertThat(key).startsWith(ContentAddress.sha256Hex(bytes) + ".");
        return bytes;
    }

    private void checkDerivedJob() throws Exception {
        assertThat(
                        db().count(
                                        "SELECT count(*) FROM image_process_jobs WHERE user_id = 'u-derived'"
                                                + " AND status = 'completed'"))
                .isEqualTo(1);
    }

    private void checkDeadLetters() {
        List<ConsumerRecord<byte[], byte[]>> dlq = deadLetters(deadLetterValues.size());
        assertThat(dlq).hasSize(deadLetterValues.size());
        for (int i = 0; i < dlq.size(); i++) {
            ConsumerRecord<byte[], byte[]> r = dlq.get(i);
            assertThat(deadLetterValues).anySatisfy(v -> assertThat(r.value()).isEqualTo(v));
            assertThat(header(r, "error_code")).isEqualTo("INVALID_EVENT");
            assertThat(header(r, "error_message")).isNotBlank();
            assertThat(header(r, "source_topic")).isEqualTo(eventsTopic());
            assertThat(header(r, "source_offset")).matches("\\d+");
        }
    }

    private void checkTraces(int usable) {
        List<ConsumerRecord<byte[], byte[]>> traces = traces(usable);
        assertThat(traces).hasSize(usable);
        assertThat(traces.stream().map(r -> new String(r.key(), UTF_8)).distinct().count())
                .isEqualTo(usable);
        // References only: a trace of a job with an inline image of many KB stays small.
        assertThat(traces)
                .allSatisfy(
                        r -> {
                            assertThat(r.value().length).isLessThan(4096);
                            assertThat(new String(r.value(), UTF_8)).contains("\"timings_ms\"");
                        });
    }

    private void checkMetrics(FlinkRest rest) throws Exception {
        String op = "Remove background";
        long completedRows =
                db().count("SELECT count(*) FROM image_process_jobs WHERE status = 'completed'");
        // Every completed row was counted once, plus the re-sent job, which ran again.
        assertThat(rest.counter(op, "imagesCompleted")).isEqualTo(completedRows + 1);
        assertThat(rest.counter(op, "imagesFailed")).isPositive();
        assertThat(rest.counter(op, "imagesCompleted") + rest.counter(op, "imagesFailed"))
                .isEqualTo(rest.counter(op, "imagesReceived"));
        assertThat(rest.metricIds(op))
                .anyMatch(id -> id.contains("inferenceLatencyMs"))
                .anyMatch(id -> id.contains("inferenceBatchSize"))
                .anyMatch(id -> id.contains("endToEndLatencyMs"))
                .anyMatch(id -> id.endsWith(".inferenceQueueDepth"));
        assertThat(rest.counter(op, "modelLoadMs")).isPositive();
    }

    /**
     * Logs, REST (as the web UI shows it), dead letters, rows and traces never show a credential.
     */
    private void checkSecretsStaySecret(FlinkRest rest) throws Exception {
        List<String> places = new ArrayList<>();
        places.add(java.nio.file.Files.readString(Path.of("target/test-logs/rmbg-tests.log")));
        places.add(rest.raw("/jobmanager/config"));
        places.add(rest.raw("/jobs/" + rest.jobId() + "/config"));
        places.add(rest.raw("/jobs/" + rest.jobId()));
        places.add(rest.raw("/jobs/" + rest.jobId() + "/exceptions"));
        for (ConsumerRecord<byte[], byte[]> r : deadLetters(0)) {
            r.headers().forEach(h -> places.add(h.key() + "=" + new String(h.value(), UTF_8)));
        }
        for (ConsumerRecord<byte[], byte[]> r : traces(0)) {
            places.add(new String(r.value(), UTF_8));
        }
        places.add(
                db().rows(
                                "SELECT coalesce(error_message, '') || original_path FROM image_process_jobs")
                        .toString());
        places.add(config().toString());
        for (String place : places) {
            assertThat(place)
                    .doesNotContain(S3_SECRET)
                    .doesNotContain(S3_ACCESS_KEY)
                    .doesNotContain(JDBC_PASSWORD);
        }
    }

    private void checkTags() throws Exception {
        assertThat(
                        db().count(
                                        "SELECT count(*) FROM image_tags it JOIN tags t USING (tag_id) WHERE t.name = 'it'"))
                .isEqualTo(expected.size());
    }

    // --- fixtures ---

    private ObjectNode event(String user) {
        ObjectNode n = Events.event(user);
        // Spread jobs over three days, so that the daily statistics have days to close.
        n.put(
                "created_at",
                NOW.minus(records.size() % 3, ChronoUnit.DAYS).atOffset(ZoneOffset.UTC).toString());
        n.putArray("tags").add("it").add("batch-1");
        return n;
    }

    private void good(ObjectNode event, int w, int h) throws Exception {
        expected.put(enqueue(event), new Expect("completed", null, discCutOut(w, h)));
    }

    private void goodInline(byte[] image, int w, int h, Consumer<BufferedImage> extra)
            throws Exception {
        Consumer<BufferedImage> check =
                extra == null ? discCutOut(w, h) : discCutOut(w, h).andThen(extra);
        expected.put(enqueue(inline(image)), new Expect("completed", null, check));
    }

    private ObjectNode inline(byte[] image) {
        return event("u-" + records.size()).put("image_base64", b64(image));
    }

    private void failed(ObjectNode event, String errorCode) throws Exception {
        expected.put(enqueue(event), new Expect("failed", errorCode, null));
    }

    private void dead(byte[] value) {
        deadLetterValues.add(value);
        records.add(new ProducerRecord<>(eventsTopic(), value));
    }

    private final Map<String, byte[]> sentValues = new HashMap<>();

    /** Queues {@code event} for the batch sent before the job starts; returns its job id. */
    private String enqueue(ObjectNode event) {
        byte[] value = Events.bytes(event);
        String jobId = Events.jobId(event);
        sentValues.put(jobId, value);
        records.add(new ProducerRecord<>(eventsTopic(), value));
        return jobId;
    }

    private String uri(String key) {
        return "s3://" + bucket() + "/" + key;
    }

    private void upload(String key, byte[] bytes) {
        S3Fixture.put(config().s3(), bucket(), key, bytes);
    }
}
