package io.rmbg.core.process;

import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.inference.MicroBatch;
import io.rmbg.core.inference.MicroBatcher;
import io.rmbg.core.inference.Preprocessor;
import io.rmbg.core.inference.SegmentationModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import static java.util.Objects.requireNonNull;

/**
 * One model in one slot: its ONNX Runtime session, two reused batch buffers and the {@link
 * MicroBatcher} whose thread is the only one that runs the model. Images are preprocessed into a
 * buffer by the thread that submits them (the slot's CPU pool); each comes back with the model's
 * raw map, which {@link #activate} turns into probabilities off the model thread.
 *
 * <p>A slot has one lane for its default model and one more for each additional model events ask
 * for. Closing a lane fails the images that have not started, waits for the running batch, then
 * closes the session.
 */
final class ModelLane implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelLane.class);

    /** Two: one batch runs while the next one fills. */
    private static final int BATCH_BUFFERS = 2;

    /** Where a lane reports each model call. */
    @FunctionalInterface
    interface CallListener {
        void modelCall(int images, long millis);
    }

    private final SegmentationModel model;
    private final FloatBuffer[] buffers;
    private final ThreadLocal<Preprocessor> preprocessors;
    private final CallListener listener;
    private final MicroBatcher<DecodedImage, SegmentedImage> batcher;

    /**
     * Starts the lane's model thread.
     *
     * @param batchSize most images per call; a model with a fixed batch dimension gets 1
     * @param batchTimeoutMs how long a batch's first image waits for more while the model is idle
     * @param staging the pool that preprocesses images that had to wait for a free buffer
     */
    ModelLane(
            SegmentationModel model,
            String threadName,
            int batchSize,
            long batchTimeoutMs,
            Executor staging,
            CallListener listener) {
        this.model = requireNonNull(model, "model cannot be null");
        this.listener = requireNonNull(listener, "listener cannot be null");
        int batch = Math.min(batchSize, model.maxBatchSize());
        if (batch < batchSize) {
            LOG.info(
                    "Model {} has a fixed batch dimension; it runs one image per call",
                    model.modelFile());
        }
        buffers = new FloatBuffer[BATCH_BUFFERS];
        for (int i = 0; i < BATCH_BUFFERS; i++) {
            buffers[i] = model.newInputBuffer(batch);
        }
        preprocessors = ThreadLocal.withInitial(model::newPreprocessor);
        batcher =
                MicroBatcher.<DecodedImage, SegmentedImage>builder(threadName)
                        .maxBatchSize(batch)
                        .maxWait(Duration.ofMillis(batchTimeoutMs))
                        .buffers(BATCH_BUFFERS)
                        .stager(
                                (decoded, buffer, index) -> {
                                    Preprocessor p = preprocessors.get();
                                    if (Boolean.getBoolean(JobProcessor.LEGACY_CPU_PATH)) {
                                        p.packFloat(decoded.image(), buffers[buffer], index);
                                    } else {
                                        p.pack(decoded.image(), buffers[buffer], index);
                                    }
                                })
                        .runner(this::runBatch)
                        .stagingExecutor(staging)
                        .start();
    }

    SegmentationModel model() {
        return model;
    }

    /** Hands an image to the model: preprocessed here (or later on the pool), run in a batch. */
    CompletableFuture<SegmentedImage> submit(DecodedImage decoded) {
        return batcher.submit(decoded);
    }

    /** Turns the raw map of a {@link SegmentedImage} into probabilities, in place. Any thread. */
    SegmentedImage activate(SegmentedImage segmented) throws ProcessingException {
        model.activate(segmented.probabilities());
        return segmented;
    }

    /** Images handed to this lane that are not yet in a running batch. */
    int queued() {
        return batcher.queued();
    }

    /**
     * Runs one batch on the model thread. If the batched call fails, each image is run alone once
     * so that only the image that breaks the model fails.
     */
    private void runBatch(MicroBatch<DecodedImage, SegmentedImage> batch) {
        FloatBuffer input = buffers[batch.buffer()];
        int n = batch.size();
        long t0 = System.nanoTime();
        float[][] raw;
        try {
            raw = model.inferPacked(input, 0, n);
        } catch (ProcessingException e) {
            if (n == 1) {
                batch.fail(0, e);
                return;
            }
            LOG.warn(
                    "A batch of {} images failed ({}); running them one by one", n, e.getMessage());
            runOneByOne(batch, input);
            return;
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        listener.modelCall(n, millis);
        for (int i = 0; i < n; i++) {
            batch.complete(i, segmented(batch.items().get(i), raw[i], millis));
        }
    }

    private void runOneByOne(MicroBatch<DecodedImage, SegmentedImage> batch, FloatBuffer input) {
        for (int i = 0; i < batch.size(); i++) {
            if (batch.isDone(i)) {
                continue;
            }
            long t0 = System.nanoTime();
            try {
                float[] map = model.inferPacked(input, i, 1)[0];
                long millis = (System.nanoTime() - t0) / 1_000_000;
                listener.modelCall(1, millis);
                batch.complete(i, segmented(batch.items().get(i), map, millis));
            } catch (ProcessingException single) {
                batch.fail(i, single);
            }
        }
    }

    private SegmentedImage segmented(DecodedImage decoded, float[] rawMap, long inferenceMs) {
        return new SegmentedImage(
                decoded,
                rawMap,
                model.inputWidth(),
                model.inputHeight(),
                model.profile().name(),
                model.modelVersion(),
                inferenceMs);
    }

    @Override
    public void close() throws InterruptedException {
        // The batcher first: it fails what has not run and waits for the running batch, so the
        // session is idle when it closes. Interrupted, the session stays open rather than closing
        // under a running batch (a native crash); the TaskManager's exit frees it.
        batcher.close();
        model.close();
    }
}
