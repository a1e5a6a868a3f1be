package io.rmbg.local;

import io.rmbg.core.blob.RetryingBlobStore;
import io.rmbg.core.blob.S3BlobStore;
import io.rmbg.core.event.ImageEventParser;
import io.rmbg.core.event.ParseOutcome;
import io.rmbg.core.inference.ExecutionDevice;
import io.rmbg.core.process.BackgroundRemover;
import io.rmbg.core.process.ImageLimits;
import io.rmbg.core.process.ModelOptions;
import io.rmbg.core.process.RemoverSettings;
import io.rmbg.core.records.JobResult;
import io.rmbg.core.records.SourceRecord;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.testkit.SyntheticModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every hostile input of the corpus ends as a dead letter with a reason, a failed job with the
 * right error code, or (for odd but valid images) a completed job: through the real parser, a real
 * S3 server and the {@link BackgroundRemover} the Flink function runs (the real decoders, ONNX
 * Runtime, pools and memory budget). Nothing else may happen: no exception, no failure the remover
 * only knows as "unexpected", no result that never comes.
 */
class HostileInputITCase {
    private static final long MAX_INLINE = 1 << 20;

    @TempDir static Path dir;
    private static LocalS3 s3Server;
    private static BackgroundRemover remover;
    private static ImageEventParser parser;
    private static final List<String> deadLetterReasons = new ArrayList<>();

    /** The message of the last processing failure, shown when an outcome differs. */
    private static String lastFailure;

    @BeforeAll
    static void start() throws Exception {
        PipelineConfig base = PipelineConfig.defaults();
        s3Server =
                LocalS3.start(
                        dir.resolve("s3"),
                        "127.0.0.1",
                        LocalStack.freePortIfZero(0),
                        base.get(ConfigKeys.S3_ACCESS_KEY),
                        base.get(ConfigKeys.S3_SECRET_KEY));
        PipelineConfig config =
                base.toBuilder().set(ConfigKeys.S3_ENDPOINT, s3Server.endpoint()).build();
        S3BlobStore blobs = new S3BlobStore(config.s3());
        blobs.client().createBucket(b -> b.bucket(config.get(ConfigKeys.S3_BUCKET)));
        ImageLimits limits = new ImageLimits(50_000_000, 64L << 20, MAX_INLINE);
        parser = new ImageEventParser(limits, config.sourcePolicy());
        Path file = dir.resolve("colour-key-320.onnx");
        SyntheticModels.writeColourKeyModel(file, 320);
        // As in production: transient store failures are ridden out, final answers are not. The
        // remover owns the store from here on and closes it.
        remover =
                BackgroundRemover.open(
                        "hostile",
                        ExecutionDevice.CPU,
                        new ModelOptions(file.toString(), "u2net", "cpu", 1),
                        RemoverSettings.defaults(2).withLimits(limits),
                        new RetryingBlobStore(blobs, Duration.ofSeconds(30)));
    }

    @AfterAll
    static void stop() throws Exception {
        if (remover != null) {
            remover.close();
        }
        s3Server.close();
    }

    static Stream<HostileInputs.Fixture> corpus() {
        List<HostileInputs.Fixture> corpus = HostileInputs.corpus("rmbg", MAX_INLINE);
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(40);
        return corpus.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void endsAsExpected(HostileInputs.Fixture fixture) throws Exception {
        assertThat(outcome(fixture))
                .as("%s (%s)", fixture, lastFailure)
                .isEqualTo(fixture.expected());
    }

    private static String outcome(HostileInputs.Fixture fixture) throws Exception {
        long now = System.currentTimeMillis();
        ParseOutcome parsed =
                parser.parse(new SourceRecord("image-events", 0, 7, now, fixture.value()), now);
        if (parsed instanceof ParseOutcome.DeadLettered dead) {
            assertThat(dead.deadLetter().errorMessage()).isNotBlank();
            assertThat(dead.deadLetter().source().value()).isSameAs(fixture.value());
            return "dlq";
        }
        if (parsed instanceof ParseOutcome.Rejected rejected) {
            assertThat(rejected.errorMessage()).isNotBlank();
            return "failed:" + rejected.errorCode();
        }
        var event = ((ParseOutcome.Accepted) parsed).event();
        // A result that never comes fails here; an Error of the remover fails the get().
        JobResult result = remover.submit(event).result().get(60, TimeUnit.SECONDS);
        if (result.isCompleted()) {
            assertThat(result.processed().uri()).startsWith("s3://rmbg/processed/");
            return "completed";
        }
        lastFailure = result.errorMessage();
        assertThat(result.errorMessage())
                .isNotBlank()
                .doesNotContain("rmbg-secret")
                // What the remover makes of an exception that is no ProcessingException: a bug.
                .doesNotStartWith("unexpected ");
        return "failed:" + result.errorCode();
    }
}
