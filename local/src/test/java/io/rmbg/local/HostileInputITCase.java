package io.rmbg.local;

import io.rmbg.core.blob.RetryingBlobStore;
import io.rmbg.core.blob.S3BlobStore;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.event.ImageEventParser;
import io.rmbg.core.event.ParseOutcome;
import io.rmbg.core.inference.ExecutionDevice;
import io.rmbg.core.inference.ModelProfile;
import io.rmbg.core.inference.SegmentationModel;
import io.rmbg.core.process.DecodedImage;
import io.rmbg.core.process.ImageLimits;
import io.rmbg.core.process.JobProcessor;
import io.rmbg.core.process.SegmentedImage;
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
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every hostile input of the corpus ends as a dead letter with a reason, a failed job with the
 * right error code, or (for odd but valid images) a completed job: through the real parser, a real
 * S3 server, the real decoders and the real ONNX Runtime. Nothing else may be thrown.
 */
class HostileInputITCase {
    private static final long MAX_INLINE = 1 << 20;

    @TempDir static Path dir;
    private static LocalS3 s3Server;
    private static S3BlobStore blobs;
    private static SegmentationModel model;
    private static JobProcessor processor;
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
        blobs = new S3BlobStore(config.s3());
        blobs.client().createBucket(b -> b.bucket(config.get(ConfigKeys.S3_BUCKET)));
        ImageLimits limits = new ImageLimits(50_000_000, 64L << 20, MAX_INLINE);
        // As in production: transient store failures are ridden out, final answers are not.
        processor = new JobProcessor(new RetryingBlobStore(blobs, Duration.ofSeconds(30)), limits);
        parser = new ImageEventParser(limits, config.sourcePolicy());
        Path file = dir.resolve("colour-key-320.onnx");
        SyntheticModels.writeColourKeyModel(file, 320);
        model = SegmentationModel.load(file, ModelProfile.named("u2net"), ExecutionDevice.CPU, 1);
    }

    @AfterAll
    static void stop() throws Exception {
        model.close();
        blobs.close();
        s3Server.close();
    }

    static Stream<HostileInputs.Fixture> corpus() {
        List<HostileInputs.Fixture> corpus = HostileInputs.corpus("rmbg", MAX_INLINE);
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(40);
        return corpus.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void endsAsExpected(HostileInputs.Fixture fixture) {
        assertThat(outcome(fixture))
                .as("%s (%s)", fixture, lastFailure)
                .isEqualTo(fixture.expected());
    }

    private static String outcome(HostileInputs.Fixture fixture) {
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
        try {
            DecodedImage decoded = processor.intake(event, now);
            float[][] masks = model.infer(List.of(decoded.image()));
            JobResult result =
                    processor.finish(
                            new SegmentedImage(
                                    decoded,
                                    masks[0],
                                    model.inputWidth(),
                                    model.inputHeight(),
                                    model.profile().name(),
                                    model.modelVersion(),
                                    0));
            assertThat(result.processed().uri()).startsWith("s3://rmbg/processed/");
            return "completed";
        } catch (ProcessingException e) {
            lastFailure = e.getMessage();
            assertThat(e.getMessage()).isNotBlank().doesNotContain("rmbg-secret");
            return "failed:" + e.code();
        }
    }
}
