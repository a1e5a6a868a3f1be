package io.rmbg.core.process;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.image.RasterImage;
import io.rmbg.core.inference.ExecutionDevice;
import io.rmbg.core.inference.ModelProfile;
import io.rmbg.core.inference.OutputActivation;
import io.rmbg.core.inference.SegmentationModel;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.testkit.OnnxModelWriter;
import io.rmbg.testkit.OnnxModelWriter.Attribute;
import io.rmbg.testkit.OnnxModelWriter.Dim;
import io.rmbg.testkit.SyntheticModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * A model lane with real synthetic ONNX models: batching, the one-by-one retry of a failed batch,
 * shutdown, and fixed-batch models.
 */
class ModelLaneTest {
    private static final int SIZE = 32;
    private static final int RED = 0xFFFF0000;
    private static final int BLUE = 0xFF0000FF;
    private static final int WHITE = 0xFFFFFFFF;
    private static final long WAIT_S = 30;

    /** Long enough that a batch only runs once full: which images share a call is certain. */
    private static final long NEVER_MS = 60_000;

    private static final ModelProfile COLOUR_KEY_PROFILE =
            ModelProfile.RMBG_2_0.toBuilder().inputSize(SIZE).build();

    /** Channels fed as 0..1 (mean 0, std 1), so the guard below can tell white from red or blue. */
    private static final ModelProfile UNIT_RANGE_PROFILE =
            ModelProfile.builder("unit-range")
                    .inputSize(SIZE)
                    .mean(0f, 0f, 0f)
                    .std(1f, 1f, 1f)
                    .activation(OutputActivation.NONE)
                    .build();

    @TempDir static Path dir;

    private static Path colourKey;
    private static Path colourKeyFixedBatch;
    private static Path failsOnWhite;

    private final ExecutorService staging = Executors.newFixedThreadPool(2);
    private final List<Integer> calls = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void writeModels() throws Exception {
        colourKey = dir.resolve("colour-key.onnx");
        SyntheticModels.writeColourKeyModel(colourKey, SIZE);
        colourKeyFixedBatch = dir.resolve("colour-key-fixed.onnx");
        SyntheticModels.colourKey(SIZE, true, false).write(colourKeyFixedBatch);
        failsOnWhite = dir.resolve("fails-on-white.onnx");
        failsOnWhiteModel().write(failsOnWhite);
    }

    @AfterEach
    void stopStaging() {
        staging.shutdownNow();
    }

    @Test
    void imagesSubmittedTogetherShareOneModelCall() throws Exception {
        try (ModelLane lane = lane(colourKey, COLOUR_KEY_PROFILE, 3, (n, ms) -> calls.add(n))) {
            CompletableFuture<SegmentedImage> red = lane.submit(decoded("red", solid(RED)));
            CompletableFuture<SegmentedImage> blue = lane.submit(decoded("blue", solid(BLUE)));
            CompletableFuture<SegmentedImage> red2 = lane.submit(decoded("red-2", solid(RED)));

            assertSubject(lane, red, "red", 1f);
            assertSubject(lane, blue, "blue", 0f);
            assertSubject(lane, red2, "red-2", 1f);
            assertThat(calls).containsExactly(3);
            assertThat(lane.queued()).isZero();
        }
    }

    @Test
    void aFailedBatchIsRunImageByImageSoOnlyTheBadImageFails() throws Exception {
        try (ModelLane lane = lane(failsOnWhite, UNIT_RANGE_PROFILE, 3, (n, ms) -> calls.add(n))) {
            CompletableFuture<SegmentedImage> red = lane.submit(decoded("red", solid(RED)));
            CompletableFuture<SegmentedImage> white = lane.submit(decoded("white", solid(WHITE)));
            CompletableFuture<SegmentedImage> blue = lane.submit(decoded("blue", solid(BLUE)));

            assertSubject(lane, red, "red", 1f);
            assertSubject(lane, blue, "blue", 0f);
            assertThatThrownBy(() -> white.get(WAIT_S, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(ProcessingException.class)
                    .hasMessageContaining("ONNX Runtime failed on 1 image(s)")
                    .satisfies(e -> assertCode(e, ErrorCode.INFERENCE));
            // The batch of three failed and is not reported; then one call per good image.
            assertThat(calls).containsExactly(1, 1);
        }
    }

    @Test
    void theWhiteGuardModelRunsRedAndBlueTogether() throws Exception {
        // The retry test's model is only broken by white: without it, a batch runs as one call.
        try (ModelLane lane = lane(failsOnWhite, UNIT_RANGE_PROFILE, 2, (n, ms) -> calls.add(n))) {
            CompletableFuture<SegmentedImage> red = lane.submit(decoded("red", solid(RED)));
            CompletableFuture<SegmentedImage> blue = lane.submit(decoded("blue", solid(BLUE)));

            assertSubject(lane, red, "red", 1f);
            assertSubject(lane, blue, "blue", 0f);
            assertThat(calls).containsExactly(2);
        }
    }

    @Test
    void closeFailsImagesNotYetStartedAndWaitsForTheRunningBatch() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        // The listener runs on the model thread inside the batch: holding it holds the batch.
        ModelLane lane =
                lane(
                        colourKey,
                        COLOUR_KEY_PROFILE,
                        2,
                        0,
                        (n, ms) -> {
                            running.countDown();
                            awaitQuietly(finish);
                        });
        ExecutorService closer = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<SegmentedImage> first = lane.submit(decoded("first", solid(RED)));
            assertThat(running.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
            // Two fill the second buffer's batch; the third finds no free buffer and is parked.
            List<CompletableFuture<SegmentedImage>> waiting =
                    List.of(
                            lane.submit(decoded("second", solid(RED))),
                            lane.submit(decoded("third", solid(BLUE))),
                            lane.submit(decoded("parked", solid(BLUE))));

            CompletableFuture<Void> closed =
                    CompletableFuture.runAsync(
                            () -> {
                                try {
                                    lane.close();
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            },
                            closer);

            for (CompletableFuture<SegmentedImage> image : waiting) {
                assertThatThrownBy(() -> image.get(WAIT_S, TimeUnit.SECONDS))
                        .cause()
                        .isInstanceOf(ProcessingException.class)
                        .hasMessageContaining("shut down before this image ran")
                        .satisfies(e -> assertCode(e, ErrorCode.INFERENCE));
            }
            Thread.sleep(200);
            assertThat(closed).as("close waits for the running batch").isNotDone();
            assertThat(first).isNotDone();

            finish.countDown();
            closed.get(WAIT_S, TimeUnit.SECONDS);
            assertSubject(lane, first, "first", 1f);
            assertThatThrownBy(() -> lane.model().infer(List.of(solid(RED))))
                    .as("the session is closed after the batch")
                    .isInstanceOf(IllegalStateException.class);
        } finally {
            finish.countDown();
            closer.shutdownNow();
            lane.close();
        }
    }

    @Test
    void aFixedBatchModelGetsOneImagePerCall() throws Exception {
        try (ModelLane lane =
                lane(colourKeyFixedBatch, COLOUR_KEY_PROFILE, 3, (n, ms) -> calls.add(n))) {
            assertThat(lane.model().maxBatchSize()).isEqualTo(1);
            CompletableFuture<SegmentedImage> red = lane.submit(decoded("red", solid(RED)));
            CompletableFuture<SegmentedImage> blue = lane.submit(decoded("blue", solid(BLUE)));
            CompletableFuture<SegmentedImage> red2 = lane.submit(decoded("red-2", solid(RED)));

            assertSubject(lane, red, "red", 1f);
            assertSubject(lane, blue, "blue", 0f);
            assertSubject(lane, red2, "red-2", 1f);
            assertThat(calls).containsExactly(1, 1, 1);
        }
    }

    private ModelLane lane(
            Path file, ModelProfile profile, int batchSize, ModelLane.CallListener listener) {
        return lane(file, profile, batchSize, NEVER_MS, listener);
    }

    private ModelLane lane(
            Path file,
            ModelProfile profile,
            int batchSize,
            long batchTimeoutMs,
            ModelLane.CallListener listener) {
        SegmentationModel model = SegmentationModel.load(file, profile, ExecutionDevice.CPU, 1);
        return new ModelLane(model, "test-lane", batchSize, batchTimeoutMs, staging, listener);
    }

    /**
     * The colour-key model (on 0..1 channels) behind a guard that breaks on white: the brightest
     * pixel's {@code R + G + B}, cast to an integer, indexes a two-entry table, so red or blue (1)
     * passes and white (3) makes ONNX Runtime fail the whole call. The guard reads the whole batch,
     * as a real model's failure does.
     */
    private static OnnxModelWriter failsOnWhiteModel() {
        String input = SyntheticModels.INPUT;
        float k = SyntheticModels.COLOUR_KEY_GAIN;
        Dim batch = Dim.symbolic(SyntheticModels.BATCH_DIM);
        return new OnnxModelWriter("fails_on_white")
                .input(input, batch, Dim.of(3), Dim.of(SIZE), Dim.of(SIZE))
                .output(SyntheticModels.OUTPUT, batch, Dim.of(1), Dim.of(SIZE), Dim.of(SIZE))
                .initializer("key_weight", new float[] {k, 0f, -k}, 1, 3, 1, 1)
                .initializer("sum_weight", new float[] {1f, 1f, 1f}, 1, 3, 1, 1)
                .initializer("table", new float[] {0f, 0f}, 2)
                .node(
                        "Conv",
                        List.of(input, "key_weight"),
                        List.of("logits"),
                        Attribute.ints("kernel_shape", 1, 1))
                .node("Sigmoid", List.of("logits"), List.of("probabilities"))
                .node(
                        "Conv",
                        List.of(input, "sum_weight"),
                        List.of("brightness"),
                        Attribute.ints("kernel_shape", 1, 1))
                .node("ReduceMax", List.of("brightness"), List.of("peak"))
                .node("Cast", List.of("peak"), List.of("index"), Attribute.i("to", 7))
                .node("Gather", List.of("table", "index"), List.of("guard"), Attribute.i("axis", 0))
                .node("Add", List.of("probabilities", "guard"), List.of(SyntheticModels.OUTPUT));
    }

    /** Waits for {@code image}, activates its map as the remover does, checks its centre pixel. */
    private static void assertSubject(
            ModelLane lane,
            CompletableFuture<SegmentedImage> image,
            String jobId,
            float expectedCentre)
            throws Exception {
        SegmentedImage segmented = lane.activate(image.get(WAIT_S, TimeUnit.SECONDS));
        assertThat(segmented.decoded().event().jobId()).isEqualTo(jobId);
        assertThat(segmented.maskWidth()).isEqualTo(SIZE);
        assertThat(segmented.maskHeight()).isEqualTo(SIZE);
        assertThat(segmented.modelVersion()).isEqualTo(lane.model().modelVersion());
        assertThat(segmented.probabilities()).hasSize(SIZE * SIZE);
        assertThat(segmented.probabilities()[SIZE * SIZE / 2 + SIZE / 2])
                .isCloseTo(expectedCentre, within(1e-4f));
    }

    private static void assertCode(Throwable e, ErrorCode code) {
        assertThat(((ProcessingException) e).code()).isEqualTo(code);
    }

    private static DecodedImage decoded(String jobId, RasterImage image) {
        ImageEvent event =
                new ImageEvent(
                        jobId,
                        "user-1",
                        "s3://rmbg/in/" + jobId + ".png",
                        null,
                        null,
                        null,
                        new String[0],
                        0L,
                        0L,
                        "test-0@0");
        return new DecodedImage(event, null, image, null, 0L, 0L, 0L, 0L);
    }

    private static RasterImage solid(int argb) {
        int[] pixels = new int[8 * 8];
        Arrays.fill(pixels, argb);
        return new RasterImage(8, 8, pixels, false);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(WAIT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
