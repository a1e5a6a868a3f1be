package io.rmbg.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rmbg.core.blob.S3BlobStore;
import io.rmbg.core.blob.S3Uri;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.job.config.PipelineOptions;
import io.rmbg.service.ResultsService;
import io.rmbg.service.ServiceConfig;
import io.rmbg.service.UsersCommand;
import io.rmbg.testkit.SyntheticModels;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * References that stay true, through the whole pipeline (Kafka → the real job → PostgreSQL, S3):
 * {@code bin/rmbg fetch} returns a job's exact bytes and names what is wrong instead (unknown job,
 * failed job, missing blob, corrupt blob); a sensitive image's blobs are sealed (no image as S3
 * holds them, keyed per user) and fetch returns the exact bytes; a sensitive inline image that
 * becomes a dead letter is not kept on the dead-letter topic; {@code bin/rmbg check} finds the
 * missing and corrupt blobs planted on the way (a tampered sealed blob too) and {@code --repair}
 * drops the reuse entry that references them. One job serves every step: each step uses images of
 * its own size, so damage planted by one step is not another's blob.
 */
class BlobReferencesITCase extends PipelineITCaseBase {
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final String MASTER_KEY = newMasterKey();

    @Override
    PipelineConfig.Builder settings(Path dataDir) throws Exception {
        Path model = dataDir.resolve("colour-key.onnx");
        SyntheticModels.writeColourKeyModel(model, 1024);
        return PipelineConfig.builder()
                .set(ConfigKeys.MODEL_PATH, model.toString())
                .set(ConfigKeys.MODEL_PROFILE, "rmbg-2.0")
                .set(ConfigKeys.MODEL_INTRA_OP_THREADS, 1)
                .set(ConfigKeys.KAFKA_STARTING_OFFSETS, "earliest")
                .set(ConfigKeys.CHECKPOINT_INTERVAL_MS, 2000)
                .set(ConfigKeys.SECURITY_MASTER_KEY, MASTER_KEY);
    }

    @Test
    void referencesStayTrue() throws Exception {
        startJob("rmbg-blob-references-it");
        Map<String, Object> damaged = fetchReturnsCheckedBytesOrSaysWhatIsWrong();
        Map<String, Object> sealed = sensitiveImagesAreSealedAtRestAndFetchedExactly();
        checkFindsPlantedDamageAndRepairDropsBrokenReuseEntries(damaged, sealed);
        theResultsServiceDecryptsForTheOwnerAndNeverServesACorruptBlob(sealed);
    }

    /** Returns the row of a job whose mask is then missing and whose cut-out corrupt. */
    private Map<String, Object> fetchReturnsCheckedBytesOrSaysWhatIsWrong() throws Exception {
        byte[] image = SampleImages.png(300, 200);
        ObjectNode done = Events.inline("alice", image);
        ObjectNode broken = Events.inline("alice", "not an image".getBytes(StandardCharsets.UTF_8));
        send(Events.bytes(done), Events.bytes(broken));
        db().awaitTerminalRows(List.of(Events.jobId(done), Events.jobId(broken)), WAIT);
        String job = Events.jobId(done);
        Map<String, Object> row = db().jobRow(job);

        assertThat(fetch(job, "original").bytes()).isEqualTo(image);
        Fetched cutout = fetch(job, "cutout");
        assertThat(cutout.code()).as(cutout.message()).isZero();
        assertThat(cutout.bytes()).isEqualTo(s3((String) row.get("processed_path")));
        assertThat(ImageIO.read(new ByteArrayInputStream(fetch(job, "mask").bytes())).getWidth())
                .isEqualTo(300);

        assertThat(fetch(UUID.randomUUID().toString(), "cutout").message()).contains("no job ");
        assertThat(fetch(Events.jobId(broken), "cutout").message())
                .contains("has no stored cutout: it failed (");
        assertThat(fetch("not-a-uuid", "cutout").code()).isEqualTo(2);

        String maskUri = (String) row.get("mask_path");
        delete(maskUri);
        Fetched missing = fetch(job, "mask");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.message())
                .contains(maskUri + " is missing from the store; run bin/rmbg check");

        String cutoutUri = (String) row.get("processed_path");
        overwrite(cutoutUri, SampleImages.png(8, 8));
        Fetched corrupt = fetch(job, "cutout");
        assertThat(corrupt.code()).isEqualTo(1);
        assertThat(corrupt.message()).contains(cutoutUri + " is corrupt: its bytes hash to");
        assertThat(corrupt.file()).as("nothing written").doesNotExist();
        return row;
    }

    /** Returns the row of a sensitive job. */
    private Map<String, Object> sensitiveImagesAreSealedAtRestAndFetchedExactly() throws Exception {
        byte[] image = SampleImages.png(240, 180);
        ObjectNode alice = sensitive(Events.inline("alice", image));
        ObjectNode bob = sensitive(Events.inline("bob", image));
        ObjectNode noUser = sensitive(Events.inline("carol", image));
        noUser.remove("user_id");
        send(Events.bytes(alice), Events.bytes(bob), Events.bytes(noUser));
        db().awaitCompleted(List.of(Events.jobId(alice), Events.jobId(bob)), WAIT);

        Map<String, Object> aliceRow = db().jobRow(Events.jobId(alice));
        Map<String, Object> bobRow = db().jobRow(Events.jobId(bob));
        for (String column : List.of("original_path", "mask_path", "processed_path")) {
            String uri = (String) aliceRow.get(column);
            assertThat(uri).as(column).endsWith(".enc");
            assertThat(bobRow.get(column)).as("%s of another user", column).isNotEqualTo(uri);
            byte[] stored = s3(uri);
            assertThat(ImageIO.read(new ByteArrayInputStream(stored)))
                    .as("%s read straight from S3 is no image", uri)
                    .isNull();
            assertThat(new String(stored, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("RMBS");
        }
        assertThat(fetch(Events.jobId(alice), "original").bytes()).isEqualTo(image);
        assertThat(fetch(Events.jobId(bob), "original").bytes()).isEqualTo(image);
        byte[] cutout = fetch(Events.jobId(alice), "cutout").bytes();
        assertThat(ImageIO.read(new ByteArrayInputStream(cutout)).getHeight()).isEqualTo(180);

        Fetched withoutKey = fetch(Events.jobId(alice), "cutout", "--security.master-key", "");
        assertThat(withoutKey.code()).isEqualTo(1);
        assertThat(withoutKey.message()).contains("no security.master-key is configured");

        List<ConsumerRecord<byte[], byte[]>> letters = deadLetters(1);
        JsonNode letter = null;
        for (ConsumerRecord<byte[], byte[]> r : letters) {
            JsonNode value = Events.JSON.readTree(r.value());
            if (value.path("job_id").asText().equals(Events.jobId(noUser))) {
                letter = value;
            }
        }
        assertThat(letter).as("the dead letter of the sensitive event without user_id").isNotNull();
        assertThat(letter.has("image_base64")).isFalse();
        assertThat(letter.path("image_base64_redacted").asBoolean()).isTrue();
        return aliceRow;
    }

    private void checkFindsPlantedDamageAndRepairDropsBrokenReuseEntries(
            Map<String, Object> damaged, Map<String, Object> sealed) throws Exception {
        String job = (String) damaged.get("job_id");
        String missingMask = (String) damaged.get("mask_path");
        String corruptCutout = (String) damaged.get("processed_path");
        String sealedMask = (String) sealed.get("mask_path");
        byte[] tampered = s3(sealedMask);
        tampered[tampered.length - 1] ^= 1;
        overwrite(sealedMask, tampered);
        String reuseEntries =
                "SELECT count(*) FROM result_reuse WHERE mask_path = '" + missingMask + "'";
        assertThat(db().count(reuseEntries)).as("the damaged image's reuse entry").isEqualTo(1);

        Checked found = check("--since", "1");
        assertThat(found.code()).isEqualTo(1);
        assertThat(found.report())
                .contains("missing  " + missingMask + "  job " + job + " (mask_path)")
                .contains("corrupt  " + corruptCutout + "  job " + job + " (processed_path)")
                .contains("missing  " + missingMask + "  reuse entry ")
                .contains(
                        "corrupt  " + sealedMask + "  job " + sealed.get("job_id") + " (mask_path)")
                .contains("does not authenticate")
                .contains("1 missing, 2 corrupt")
                .doesNotContain((String) sealed.get("processed_path"));
        assertThat(found.jobs()).isEmpty();
        assertThat(db().count(reuseEntries)).as("a check alone changes nothing").isEqualTo(1);

        Checked repaired = check("--repair");
        assertThat(repaired.jobs()).containsExactlyInAnyOrder(job, (String) sealed.get("job_id"));
        assertThat(repaired.report()).contains("deleted reuse entry ");
        assertThat(db().count(reuseEntries)).isZero();

        Checked again = check();
        assertThat(again.report())
                .doesNotContain("reuse entry ")
                .contains("missing  " + missingMask);
    }

    /** Runs after the check step tampered with the sealed job's mask. */
    private void theResultsServiceDecryptsForTheOwnerAndNeverServesACorruptBlob(
            Map<String, Object> sealed) throws Exception {
        String job = (String) sealed.get("job_id");
        ServiceConfig serviceConfig =
                ServiceConfig.localDefaults()
                        .withPort(0)
                        .withDatabase(
                                config().jdbc().url(),
                                config().jdbc().user(),
                                config().jdbc().password())
                        .withS3(config().s3())
                        .withRedis(null, 0)
                        .withSealer(config().sealer());
        String token;
        try (Connection c = db().connect()) {
            token = UsersCommand.add(c, "alice", false);
        }
        try (ResultsService service = ResultsService.start(serviceConfig)) {
            HttpResponse<byte[]> cutout = get(service, token, "/api/jobs/" + job + "/cutout");
            assertThat(cutout.statusCode())
                    .as(new String(cutout.body(), StandardCharsets.UTF_8))
                    .isEqualTo(200);
            assertThat(cutout.body()).isEqualTo(fetch(job, "cutout").bytes());
            assertThat(cutout.headers().firstValue("Cache-Control")).hasValue("private, no-store");

            HttpResponse<byte[]> mask = get(service, token, "/api/jobs/" + job + "/mask");
            assertThat(mask.statusCode()).isEqualTo(500);
            assertThat(new String(mask.body(), StandardCharsets.UTF_8))
                    .contains("does not authenticate")
                    .contains("run bin/rmbg check");
        }
    }

    private static HttpResponse<byte[]> get(ResultsService service, String token, String path)
            throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + service.port() + path))
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
    }

    private Checked check(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                new CheckCommand(
                                new PrintStream(out, true, StandardCharsets.UTF_8),
                                new PrintStream(err, true, StandardCharsets.UTF_8))
                        .run(args, environment());
        String stdout = out.toString(StandardCharsets.UTF_8).strip();
        return new Checked(
                code,
                err.toString(StandardCharsets.UTF_8),
                stdout.isEmpty() ? List.of() : List.of(stdout.split("\\R")));
    }

    private record Checked(int code, String report, List<String> jobs) {}

    private static ObjectNode sensitive(ObjectNode event) {
        event.putObject("params").put("sensitive", true);
        return event;
    }

    /**
     * What {@code bin/rmbg fetch} says and writes, with the stack's settings in its environment.
     */
    private Fetched fetch(String jobId, String what, String... extra) throws Exception {
        Path file = dataDir().resolve("fetched-" + UUID.randomUUID() + ".bin");
        List<String> args = new ArrayList<>(List.of(jobId, "--what", what, "-o", file.toString()));
        args.addAll(List.of(extra));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                new FetchCommand(new PrintStream(err, true, StandardCharsets.UTF_8))
                        .run(args.toArray(String[]::new), environment());
        return new Fetched(code, err.toString(StandardCharsets.UTF_8), file);
    }

    /** The stack's settings as the {@code RMBG_*} variables a user would export. */
    Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        for (String key : PipelineOptions.DEFAULTS.keySet()) {
            env.put(
                    "RMBG_" + key.toUpperCase(Locale.ROOT).replaceAll("[.-]", "_"),
                    config().get(key));
        }
        return env;
    }

    private byte[] s3(String uri) throws Exception {
        try (S3BlobStore store = new S3BlobStore(config().s3())) {
            S3Uri at = S3Uri.parse(uri);
            return store.client()
                    .getObjectAsBytes(b -> b.bucket(at.bucket()).key(at.key()))
                    .asByteArray();
        }
    }

    void delete(String uri) throws Exception {
        try (S3BlobStore store = new S3BlobStore(config().s3())) {
            S3Uri at = S3Uri.parse(uri);
            store.client().deleteObject(b -> b.bucket(at.bucket()).key(at.key()));
        }
    }

    void overwrite(String uri, byte[] bytes) throws Exception {
        try (S3BlobStore store = new S3BlobStore(config().s3())) {
            S3Uri at = S3Uri.parse(uri);
            store.client()
                    .putObject(
                            b -> b.bucket(at.bucket()).key(at.key()),
                            software.amazon.awssdk.core.sync.RequestBody.fromBytes(bytes));
        }
    }

    private static String newMasterKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    private record Fetched(int code, String message, Path file) {
        byte[] bytes() throws Exception {
            assertThat(code).as(message).isZero();
            return Files.readAllBytes(file);
        }
    }
}
