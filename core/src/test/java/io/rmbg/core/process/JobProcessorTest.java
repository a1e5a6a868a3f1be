package io.rmbg.core.process;

import io.rmbg.core.blob.BlobKind;
import io.rmbg.core.blob.ContentAddress;
import io.rmbg.core.blob.InMemoryBlobStore;
import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.image.ImageFormat;
import io.rmbg.core.records.BlobRef;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.ImageParams;
import io.rmbg.core.records.JobResult;
import io.rmbg.core.records.JobStatus;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.Base64;

import static io.rmbg.core.process.TestJobs.inline;
import static io.rmbg.core.process.TestJobs.redLeftBlueRight;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The CPU stages around the model, one at a time: intake reads, probes, decodes and stores the
 * original as received; finish turns a probability map into the mask and cut-out the event's params
 * ask for, stores both and writes the row. A cancelled job's stages neither read nor write.
 */
class JobProcessorTest {
    /** Subject on the left, background on the right: the model's answer for TestJobs' images. */
    private static final float[] LEFT_SUBJECT = {1f, 0f};

    private static final ImageLimits LIMITS = ImageLimits.defaults();

    @Test
    void intakeDecodesTheSourceAndStoresItAsReceived() throws Exception {
        byte[] png = redLeftBlueRight(40, 20);
        RecordingBlobStore store = new RecordingBlobStore();
        ImageEvent event = inline("intake", png);

        DecodedImage decoded = new JobProcessor(store, LIMITS).intake(event, 1234L);

        assertThat(decoded.event()).isSameAs(event);
        assertThat(decoded.format()).isEqualTo(ImageFormat.PNG);
        assertThat(decoded.image().width()).isEqualTo(40);
        assertThat(decoded.image().height()).isEqualTo(20);
        assertThat(decoded.startedAtMillis()).isEqualTo(1234L);
        String sha = ContentAddress.sha256Hex(png);
        assertThat(decoded.original())
                .isEqualTo(
                        new BlobRef(
                                "s3://test/original/" + sha + ".png",
                                sha,
                                png.length,
                                40,
                                20,
                                "image/png"));
        assertThat(InMemoryBlobStore.OBJECTS.get(decoded.original().uri())).isEqualTo(png);
        assertThat(store.stored()).containsExactly(BlobKind.ORIGINAL);
    }

    @Test
    void fetchReadsAndProbesWithoutDecodingOrStoring() throws Exception {
        byte[] png = redLeftBlueRight(30, 10);
        RecordingBlobStore store = new RecordingBlobStore();
        String uri =
                store.put(
                        BlobKind.ORIGINAL, ContentAddress.sha256Hex(png), "png", "image/png", png);
        store = new RecordingBlobStore();

        FetchedImage fetched =
                new JobProcessor(store, LIMITS)
                        .fetch(TestJobs.fromUri("fetch", uri), Cancellation.NONE);

        assertThat(fetched.bytes()).isEqualTo(png);
        assertThat(fetched.info().format()).isEqualTo(ImageFormat.PNG);
        assertThat(fetched.info().width()).isEqualTo(30);
        assertThat(fetched.info().height()).isEqualTo(10);
        assertThat(store.reads()).isEqualTo(1);
        assertThat(store.stored()).isEmpty();
    }

    @Test
    void anImageOverThePixelLimitIsNeitherDecodedNorStored() throws Exception {
        RecordingBlobStore store = new RecordingBlobStore();
        JobProcessor processor = new JobProcessor(store, new ImageLimits(100, 1 << 20, 1 << 20));
        FetchedImage fetched =
                processor.fetch(inline("too-large", redLeftBlueRight(20, 10)), Cancellation.NONE);

        ProcessingException e =
                catchThrowableOfType(
                        ProcessingException.class,
                        () -> processor.decode(fetched, 0L, Cancellation.NONE));

        assertThat(e.code()).isEqualTo(ErrorCode.IMAGE_TOO_LARGE);
        assertThat(store.stored()).isEmpty();
    }

    @Test
    void inlineBytesMustBeBase64AndWithinTheLimit() {
        JobProcessor processor =
                new JobProcessor(new RecordingBlobStore(), new ImageLimits(1 << 20, 1 << 20, 64));
        assertThat(intakeFailure(processor, base64Event("not-base64", "!!!")).code())
                .isEqualTo(ErrorCode.INVALID_EVENT);
        ProcessingException tooLarge =
                intakeFailure(
                        processor,
                        base64Event(
                                "too-large-inline",
                                Base64.getEncoder().encodeToString(redLeftBlueRight(20, 20))));
        assertThat(tooLarge.code()).isEqualTo(ErrorCode.IMAGE_TOO_LARGE);
        assertThat(tooLarge.getMessage()).contains("the limit is 64", "send image_uri");
        assertThat(intakeFailure(processor, base64Event("empty", "")).code())
                .isEqualTo(ErrorCode.IMAGE_DECODE);
    }

    @Test
    void finishStoresTheMaskAndCutOutAndWritesTheRow() throws Exception {
        RecordingBlobStore store = new RecordingBlobStore();
        JobProcessor processor = new JobProcessor(store, LIMITS);
        ImageEvent event = inline("finish", redLeftBlueRight(40, 20));
        DecodedImage decoded = processor.intake(event, event.receivedAtMillis() + 7);

        JobResult result = processor.finish(segmented(decoded, LEFT_SUBJECT));

        assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(result.errorCode()).isNull();
        assertThat(result.jobId()).isEqualTo(event.jobId());
        assertThat(result.userId()).isEqualTo(TestJobs.USER);
        assertThat(result.originalPath()).isEqualTo(decoded.original().uri());
        assertThat(result.original()).isEqualTo(decoded.original());
        assertThat(result.imageWidth()).isEqualTo(40);
        assertThat(result.imageHeight()).isEqualTo(20);
        assertThat(result.fileSizeKb()).isEqualTo(JobResult.kib(decoded.original().bytes()));
        assertThat(result.paramsJson()).isEqualTo(TestJobs.PARAMS_JSON);
        assertThat(result.tags()).containsExactly(TestJobs.TAGS);
        assertThat(result.createdAtMillis()).isEqualTo(event.createdAtMillis());
        assertThat(result.model()).isEqualTo("test-profile");
        assertThat(result.modelVersion()).isEqualTo("v1");
        assertThat(result.timings().queue()).isEqualTo(7);
        assertThat(result.timings().inference()).isEqualTo(42);
        assertThat(store.stored())
                .containsExactly(BlobKind.ORIGINAL, BlobKind.MASK, BlobKind.PROCESSED);

        BufferedImage mask = TestJobs.read(storedBytes(result.mask(), "mask"));
        assertThat(mask.getWidth()).isEqualTo(40);
        assertThat(mask.getRaster().getSample(0, 10, 0)).isGreaterThan(240);
        assertThat(mask.getRaster().getSample(39, 10, 0)).isLessThan(15);
        BufferedImage cutOut = TestJobs.read(storedBytes(result.processed(), "processed"));
        assertThat(cutOut.getColorModel().hasAlpha()).isTrue();
        assertThat(cutOut.getRGB(0, 10)).isEqualTo(0xFFFF0000);
        assertThat(cutOut.getRGB(39, 10) >>> 24).isLessThan(15);
    }

    @Test
    void aThresholdMakesTheMaskBinary() throws Exception {
        JobProcessor processor = new JobProcessor(new RecordingBlobStore(), LIMITS);
        ImageParams binary = new ImageParams(null, 0.5, null, false);
        DecodedImage decoded =
                processor.intake(inline("threshold", redLeftBlueRight(40, 20), binary), 0L);

        JobResult result = processor.finish(segmented(decoded, new float[] {0.7f, 0.3f}));

        BufferedImage mask = TestJobs.read(storedBytes(result.mask(), "mask"));
        for (int x = 0; x < mask.getWidth(); x++) {
            assertThat(mask.getRaster().getSample(x, 5, 0)).isIn(0, 255);
        }
        assertThat(mask.getRaster().getSample(0, 5, 0)).isEqualTo(255);
        assertThat(mask.getRaster().getSample(39, 5, 0)).isZero();
    }

    @Test
    void aBackgroundColourFillsBehindTheSubjectWithoutAlpha() throws Exception {
        JobProcessor processor = new JobProcessor(new RecordingBlobStore(), LIMITS);
        ImageParams green = new ImageParams(null, null, "#00FF00", false);
        DecodedImage decoded =
                processor.intake(inline("background", redLeftBlueRight(40, 20), green), 0L);

        JobResult result = processor.finish(segmented(decoded, LEFT_SUBJECT));

        BufferedImage cutOut = TestJobs.read(storedBytes(result.processed(), "processed"));
        assertThat(cutOut.getColorModel().hasAlpha()).isFalse();
        assertThat(cutOut.getRGB(0, 10)).isEqualTo(0xFFFF0000);
        assertThat(cutOut.getRGB(39, 10)).isEqualTo(0xFF00FF00);
    }

    @Test
    void aCancelledJobNeitherReadsNorWrites() throws Exception {
        RecordingBlobStore store = new RecordingBlobStore();
        JobProcessor processor = new JobProcessor(store, LIMITS);
        DecodedImage decoded = processor.intake(inline("cancelled", redLeftBlueRight(8, 8)), 0L);
        Cancellation cancelled = new Cancellation();
        cancelled.cancel("the job timed out");

        ProcessingException fetch =
                catchThrowableOfType(
                        ProcessingException.class,
                        () ->
                                processor.fetch(
                                        TestJobs.fromUri("cancelled-uri", decoded.original().uri()),
                                        cancelled));
        ProcessingException finish =
                catchThrowableOfType(
                        ProcessingException.class,
                        () -> processor.finish(segmented(decoded, LEFT_SUBJECT), cancelled));

        assertThat(fetch.code()).isEqualTo(ErrorCode.INFERENCE_TIMEOUT);
        assertThat(finish.code()).isEqualTo(ErrorCode.INFERENCE_TIMEOUT);
        assertThat(finish.getMessage()).contains("the job timed out");
        assertThat(store.reads()).isZero();
        assertThat(store.stored()).containsExactly(BlobKind.ORIGINAL);
    }

    /** The model's answer for {@code decoded}: a map {@code map.length} wide and 1 high. */
    private static SegmentedImage segmented(DecodedImage decoded, float[] map) {
        return new SegmentedImage(decoded, map.clone(), map.length, 1, "test-profile", "v1", 42);
    }

    /**
     * The stored bytes of {@code ref}, after checking it is content-addressed under {@code kind}.
     */
    private static byte[] storedBytes(BlobRef ref, String kind) {
        byte[] bytes = InMemoryBlobStore.OBJECTS.get(ref.uri());
        assertThat(bytes).isNotNull();
        assertThat(ref.sha256()).isEqualTo(ContentAddress.sha256Hex(bytes));
        assertThat(ref.uri()).isEqualTo("s3://test/" + kind + "/" + ref.sha256() + ".png");
        assertThat(ref.bytes()).isEqualTo(bytes.length);
        assertThat(ref.contentType()).isEqualTo("image/png");
        return bytes;
    }

    private static ImageEvent base64Event(String name, String base64) {
        return TestJobs.event(name, null, base64, ImageParams.DEFAULTS, System.currentTimeMillis());
    }

    private static ProcessingException intakeFailure(JobProcessor processor, ImageEvent event) {
        return catchThrowableOfType(ProcessingException.class, () -> processor.intake(event, 0L));
    }
}
