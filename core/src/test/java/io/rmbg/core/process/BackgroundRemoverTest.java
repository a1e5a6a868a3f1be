package io.rmbg.core.process;

import io.rmbg.core.blob.BlobKind;
import io.rmbg.core.blob.BlobStore;
import io.rmbg.core.blob.ContentAddress;
import io.rmbg.core.blob.GatedBlobStore;
import io.rmbg.core.blob.InMemoryBlobStore;
import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.inference.ExecutionDevice;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.ImageParams;
import io.rmbg.core.records.JobResult;
import io.rmbg.core.records.JobStatus;
import io.rmbg.testkit.SyntheticModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.rmbg.core.process.TestJobs.inline;
import static io.rmbg.core.process.TestJobs.redLeftBlueRight;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The engine the Flink function, the tests and the benchmark share, with real ONNX models: a job
 * ends in exactly one row; a failure after the original was stored keeps the original, its size and
 * the timings so far (contracts §5), one before it points at the source; only a JVM {@link Error}
 * is no row.
 */
class BackgroundRemoverTest {
    /** The profile's input size: u2net's 320² is the smallest a profile takes. */
    private static final String PROFILE = "u2net";

    private static final long SLOW_ORIGINAL_MS = 30;
    private static final long QUEUED_MS = 1_000;

    @TempDir static Path dir;
    private static ModelOptions colourKey;
    private static ModelOptions nanModel;

    @BeforeAll
    static void writeModels() throws Exception {
        Path key = dir.resolve("colour-key-320.onnx");
        SyntheticModels.writeColourKeyModel(key, 320);
        colourKey = new ModelOptions(key.toString(), PROFILE, "cpu", 1);
        Path nan = dir.resolve("nan-320.onnx");
        SyntheticModels.writeNanModel(nan, 320);
        nanModel = new ModelOptions(nan.toString(), PROFILE, "cpu", 1);
    }

    @Test
    void aCompletedJobHasItsRowAndContentAddressedBlobs() throws Exception {
        byte[] png = redLeftBlueRight(90, 60);
        ImageEvent event = inline("completed", png);
        RecordingBlobStore store = new RecordingBlobStore();
        JobResult result;
        JobResult again;
        try (BackgroundRemover remover = open(colourKey, store)) {
            result = resultOf(remover.submit(event));
            again = resultOf(remover.submit(inline("the same image again", png)));
        }

        assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(result.errorCode()).isNull();
        assertThat(result.errorMessage()).isNull();
        assertThat(result.jobId()).isEqualTo(event.jobId());
        assertThat(result.userId()).isEqualTo(TestJobs.USER);
        assertThat(result.paramsJson()).isEqualTo(TestJobs.PARAMS_JSON);
        assertThat(result.tags()).containsExactly(TestJobs.TAGS);
        assertThat(result.createdAtMillis()).isEqualTo(event.createdAtMillis());
        assertThat(result.completedAtMillis()).isGreaterThanOrEqualTo(event.receivedAtMillis());
        assertThat(result.imageWidth()).isEqualTo(90);
        assertThat(result.imageHeight()).isEqualTo(60);
        assertThat(result.fileSizeKb()).isEqualTo(JobResult.kib(png.length));
        assertThat(result.model()).isEqualTo(PROFILE);
        assertThat(result.modelVersion()).isNotBlank();

        String sha = ContentAddress.sha256Hex(png);
        assertThat(result.originalPath()).isEqualTo("s3://test/original/" + sha + ".png");
        assertThat(result.original().uri()).isEqualTo(result.originalPath());
        assertThat(result.original().sha256()).isEqualTo(sha);
        assertThat(InMemoryBlobStore.OBJECTS.get(result.originalPath())).isEqualTo(png);
        byte[] maskPng = stored(result.mask().uri());
        assertThat(result.mask().uri())
                .isEqualTo("s3://test/mask/" + ContentAddress.sha256Hex(maskPng) + ".png");
        byte[] cutOutPng = stored(result.processed().uri());
        assertThat(result.processed().uri())
                .isEqualTo("s3://test/processed/" + ContentAddress.sha256Hex(cutOutPng) + ".png");
        assertThat(result.processed().width()).isEqualTo(90);
        assertThat(store.stored())
                .containsExactly(
                        BlobKind.ORIGINAL,
                        BlobKind.MASK,
                        BlobKind.PROCESSED,
                        BlobKind.ORIGINAL,
                        BlobKind.MASK,
                        BlobKind.PROCESSED);
        // Content-addressed: the same image gives the same three keys.
        assertThat(again.original()).isEqualTo(result.original());
        assertThat(again.mask()).isEqualTo(result.mask());
        assertThat(again.processed()).isEqualTo(result.processed());

        // The colour-key model: red (left) is subject, blue (right) is background.
        BufferedImage cutOut = TestJobs.read(cutOutPng);
        assertThat(cutOut.getRGB(5, 30) >>> 24).isGreaterThan(240);
        assertThat(cutOut.getRGB(85, 30) >>> 24).isLessThan(15);
        assertThat(TestJobs.read(maskPng).getRaster().getSample(5, 30, 0)).isGreaterThan(240);
    }

    @ParameterizedTest(name = "the {0} store fails")
    @EnumSource(
            value = BlobKind.class,
            names = {"MASK", "PROCESSED"})
    void aStoreFailingAfterTheOriginalKeepsTheOriginalItsSizeAndTimings(BlobKind failing)
            throws Exception {
        byte[] png = redLeftBlueRight(64, 48);
        RecordingBlobStore store =
                new RecordingBlobStore(
                        kind -> {
                            if (kind == BlobKind.ORIGINAL) {
                                sleep(SLOW_ORIGINAL_MS);
                            } else if (kind == failing) {
                                throw new ProcessingException(
                                        ErrorCode.STORAGE,
                                        "the " + kind.prefix() + " store is down");
                            }
                        });
        JobResult result;
        try (BackgroundRemover remover = open(colourKey, store)) {
            result = resultOf(remover.submit(queued("store fails: " + failing, png)));
        }

        assertThat(result.errorCode()).isEqualTo(ErrorCode.STORAGE);
        assertThat(result.errorMessage()).isEqualTo("the " + failing.prefix() + " store is down");
        assertKeepsTheStoredOriginal(result, png, 64, 48);
        assertThat(store.stored()).doesNotContain(failing);
    }

    @Test
    void aModelAnsweringNaNFailsAsInferenceKeepingTheOriginal() throws Exception {
        byte[] png = redLeftBlueRight(64, 48);
        AtomicInteger nonFinite = new AtomicInteger();
        AtomicInteger modelCalls = new AtomicInteger();
        BackgroundRemover.Listener listener =
                new BackgroundRemover.Listener() {
                    @Override
                    public void modelCall(int images, long millis) {
                        modelCalls.addAndGet(images);
                    }

                    @Override
                    public void nonFiniteOutput() {
                        nonFinite.incrementAndGet();
                    }
                };
        RecordingBlobStore store = new RecordingBlobStore(slowOriginal());
        JobResult result;
        try (BackgroundRemover remover =
                BackgroundRemover.open(
                        "nan",
                        ExecutionDevice.CPU,
                        nanModel,
                        RemoverSettings.defaults(2),
                        store,
                        listener)) {
            result = resultOf(remover.submit(queued("nan", png)));
        }

        assertThat(result.errorCode()).isEqualTo(ErrorCode.INFERENCE);
        assertThat(result.errorMessage()).containsIgnoringCase("nan");
        assertKeepsTheStoredOriginal(result, png, 64, 48);
        assertThat(store.stored()).containsExactly(BlobKind.ORIGINAL);
        assertThat(nonFinite).hasValue(1);
        assertThat(modelCalls).hasValue(1);
    }

    @Test
    void aTimeoutAfterTheOriginalWasStoredKeepsItAndWritesNothingMore() throws Exception {
        byte[] png = redLeftBlueRight(64, 48);
        CountDownLatch atMask = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        RecordingBlobStore store =
                new RecordingBlobStore(
                        kind -> {
                            if (kind == BlobKind.ORIGINAL) {
                                sleep(SLOW_ORIGINAL_MS);
                            } else if (kind == BlobKind.MASK) {
                                atMask.countDown();
                                await(gate);
                            }
                        });
        JobResult result;
        try (BackgroundRemover remover = open(colourKey, store)) {
            RemovalJob job = remover.submit(queued("timeout after the original", png));
            assertThat(atMask.await(30, TimeUnit.SECONDS)).as("the job reached its mask").isTrue();

            assertThat(job.timeOut(System.currentTimeMillis())).isTrue();
            assertThat(job.timeOut(System.currentTimeMillis())).as("decided once").isFalse();
            result = resultOf(job);
            gate.countDown(); // close() waits for the job's stage to give up
        }

        assertThat(result.errorCode()).isEqualTo(ErrorCode.INFERENCE_TIMEOUT);
        assertThat(result.errorMessage()).isEqualTo(RemovalJob.TIMEOUT_MESSAGE);
        assertKeepsTheStoredOriginal(result, png, 64, 48);
        assertThat(store.stored()).startsWith(BlobKind.ORIGINAL).doesNotContain(BlobKind.PROCESSED);
    }

    @Test
    void aTimeoutBeforeTheOriginalWasStoredPointsAtTheSourceAndStoresNothing() throws Exception {
        byte[] png = redLeftBlueRight(32, 32);
        String uri =
                new InMemoryBlobStore()
                        .put(
                                BlobKind.ORIGINAL,
                                ContentAddress.sha256Hex(png),
                                "png",
                                "image/png",
                                png);
        GatedBlobStore.reset();
        ImageEvent event = TestJobs.fromUri("timeout while reading", uri);
        JobResult result;
        try (BackgroundRemover remover = open(colourKey, new GatedBlobStore())) {
            RemovalJob job = remover.submit(event);
            assertThat(GatedBlobStore.reading.await(30, TimeUnit.SECONDS)).isTrue();

            assertThat(job.timeOut(System.currentTimeMillis())).isTrue();
            result = resultOf(job);
            GatedBlobStore.gate.countDown();
        }

        assertThat(result.errorCode()).isEqualTo(ErrorCode.INFERENCE_TIMEOUT);
        assertPointsAtTheSource(result, uri);
        assertThat(GatedBlobStore.PUTS).as("nothing stored after the timeout").isEmpty();
    }

    @Test
    void aFailureBeforeTheOriginalWasStoredPointsAtTheSource() throws Exception {
        String missing = "s3://test/uploads/alice/no-such-photo.png";
        JobResult notFound;
        JobResult notAnImage;
        try (BackgroundRemover remover = open(colourKey, new RecordingBlobStore())) {
            notFound = resultOf(remover.submit(TestJobs.fromUri("missing", missing)));
            notAnImage = resultOf(remover.submit(inline("not an image", "%PDF-1.7".getBytes())));
        }

        assertThat(notFound.errorCode()).isEqualTo(ErrorCode.SOURCE_NOT_FOUND);
        assertPointsAtTheSource(notFound, missing);
        assertThat(notAnImage.errorCode()).isEqualTo(ErrorCode.UNSUPPORTED_FORMAT);
        assertPointsAtTheSource(notAnImage, "inline:");
    }

    @Test
    void aModelThisRemoverDoesNotServeIsAnInvalidEvent() throws Exception {
        byte[] png = redLeftBlueRight(16, 16);
        JobResult unknown;
        JobResult notServed;
        try (BackgroundRemover remover = open(colourKey, new RecordingBlobStore())) {
            unknown = resultOf(remover.submit(inline("unknown", png, TestJobs.model("resnet"))));
            notServed =
                    resultOf(remover.submit(inline("not served", png, TestJobs.model("birefnet"))));
        }

        assertThat(unknown.errorCode()).isEqualTo(ErrorCode.INVALID_EVENT);
        assertThat(unknown.errorMessage()).startsWith("params.model").contains("resnet");
        assertPointsAtTheSource(unknown, "inline:");
        assertThat(notServed.errorCode()).isEqualTo(ErrorCode.INVALID_EVENT);
        assertThat(notServed.errorMessage())
                .contains("'birefnet' is not served by this job", "[u2net]", "model.additional");
    }

    @Test
    void anAdditionalModelThatCannotLoadFailsItsEventsWithTheReason() throws Exception {
        Path missing = dir.resolve("no-such-model.onnx");
        ModelOptions served =
                colourKey.withAdditionalModels(Map.of("rmbg-2.0", missing.toString()));
        byte[] png = redLeftBlueRight(16, 16);
        JobResult first;
        JobResult second;
        JobResult byDefault;
        try (BackgroundRemover remover = open(served, new RecordingBlobStore())) {
            first =
                    resultOf(
                            remover.submit(
                                    inline("asks rmbg-2.0", png, TestJobs.model("rmbg-2.0"))));
            second =
                    resultOf(
                            remover.submit(
                                    inline(
                                            "asks rmbg-2.0 again",
                                            png,
                                            TestJobs.model("rmbg-2.0"))));
            byDefault =
                    resultOf(remover.submit(inline("asks u2net", png, TestJobs.model(PROFILE))));
            assertThat(remover.loadedModels()).containsExactly(PROFILE);
        }

        for (JobResult failed : new JobResult[] {first, second}) {
            assertThat(failed.errorCode()).isEqualTo(ErrorCode.INFERENCE);
            assertThat(failed.errorMessage())
                    .contains(
                            "model 'rmbg-2.0'",
                            missing.toString(),
                            "cannot be loaded",
                            "model file not found");
            assertPointsAtTheSource(failed, "inline:");
        }
        assertThat(byDefault.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(byDefault.model()).isEqualTo(PROFILE);
    }

    @Test
    void closeClosesTheBlobStoreAndSoDoesAFailedOpen() throws Exception {
        RecordingBlobStore store = new RecordingBlobStore();
        BackgroundRemover remover = open(colourKey, store);
        assertThat(store.isClosed()).isFalse();
        remover.close();
        assertThat(store.isClosed()).isTrue();

        RecordingBlobStore unused = new RecordingBlobStore();
        ModelOptions missing =
                new ModelOptions(dir.resolve("missing.onnx").toString(), PROFILE, "cpu", 1);
        assertThatThrownBy(() -> open(missing, unused))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model file not found");
        assertThat(unused.isClosed()).isTrue();
    }

    @Test
    void anErrorCompletesTheResultExceptionallyAndIsNeverARow() throws Exception {
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space (from the test's store)");
        RecordingBlobStore store =
                new RecordingBlobStore(
                        kind -> {
                            throw oom;
                        });
        try (BackgroundRemover remover = open(colourKey, store)) {
            RemovalJob job = remover.submit(inline("out of memory", redLeftBlueRight(16, 16)));

            ExecutionException e =
                    catchThrowableOfType(
                            ExecutionException.class, () -> job.result().get(30, TimeUnit.SECONDS));
            assertThat(e.getCause()).isSameAs(oom);
            // The job's share of the memory budget is back even so.
            assertThat(remover.memoryBudget().available())
                    .isEqualTo(remover.memoryBudget().capacity());
        }
    }

    private static BackgroundRemover open(ModelOptions models, BlobStore store) {
        return BackgroundRemover.open(
                "test", ExecutionDevice.CPU, models, RemoverSettings.defaults(2), store);
    }

    private static JobResult resultOf(RemovalJob job) throws Exception {
        return job.result().get(30, TimeUnit.SECONDS);
    }

    /** An inline event that waited {@value #QUEUED_MS} ms before the remover got it. */
    private static ImageEvent queued(String name, byte[] image) {
        return TestJobs.event(
                name,
                null,
                Base64.getEncoder().encodeToString(image),
                ImageParams.DEFAULTS,
                System.currentTimeMillis() - QUEUED_MS);
    }

    private static RecordingBlobStore.BeforePut slowOriginal() {
        return kind -> {
            if (kind == BlobKind.ORIGINAL) {
                sleep(SLOW_ORIGINAL_MS);
            }
        };
    }

    /**
     * The failed row of a job that got as far as storing {@code png} (slowly, after queueing): the
     * stored original, its size and the timings so far; nothing after.
     */
    private static void assertKeepsTheStoredOriginal(
            JobResult result, byte[] png, int width, int height) {
        assertThat(result.status()).isEqualTo(JobStatus.FAILED);
        String sha = ContentAddress.sha256Hex(png);
        assertThat(result.originalPath())
                .contains("/original/")
                .isEqualTo("s3://test/original/" + sha + ".png");
        assertThat(result.original().uri()).isEqualTo(result.originalPath());
        assertThat(result.original().sha256()).isEqualTo(sha);
        assertThat(result.fileSizeKb()).isEqualTo(JobResult.kib(png.length));
        assertThat(result.imageWidth()).isEqualTo(width);
        assertThat(result.imageHeight()).isEqualTo(height);
        assertThat(result.timings().queue()).isGreaterThanOrEqualTo(QUEUED_MS);
        assertThat(result.timings().store()).isGreaterThanOrEqualTo(SLOW_ORIGINAL_MS);
        assertThat(result.processingTimeMs()).isGreaterThanOrEqualTo(QUEUED_MS + SLOW_ORIGINAL_MS);
        assertThat(result.mask()).isNull();
        assertThat(result.processed()).isNull();
    }

    /** The failed row of a job whose original was never stored: it names the event's source. */
    private static void assertPointsAtTheSource(JobResult result, String source) {
        assertThat(result.status()).isEqualTo(JobStatus.FAILED);
        assertThat(result.originalPath()).isEqualTo(source);
        assertThat(result.original()).isNull();
        assertThat(result.fileSizeKb()).isNull();
        assertThat(result.imageWidth()).isNull();
        assertThat(result.mask()).isNull();
        assertThat(result.processed()).isNull();
    }

    private static byte[] stored(String uri) {
        byte[] bytes = InMemoryBlobStore.OBJECTS.get(uri);
        assertThat(bytes).as(uri).isNotNull();
        return bytes;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) throws ProcessingException {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProcessingException(ErrorCode.STORAGE, "interrupted");
        }
    }
}
