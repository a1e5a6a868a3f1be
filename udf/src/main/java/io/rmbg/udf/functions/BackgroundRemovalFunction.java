package io.rmbg.udf.functions;

import io.rmbg.udf.blob.BlobStore;
import io.rmbg.udf.blob.BlobStoreFactory;
import io.rmbg.udf.error.ErrorCode;
import io.rmbg.udf.error.ProcessingException;
import io.rmbg.udf.inference.ExecutionDevice;
import io.rmbg.udf.inference.MicroBatcher;
import io.rmbg.udf.inference.ModelProfile;
import io.rmbg.udf.inference.Preprocessor;
import io.rmbg.udf.inference.SegmentationModel;
import io.rmbg.udf.process.DecodedImage;
import io.rmbg.udf.process.ImageLimits;
import io.rmbg.udf.process.JobProcessor;
import io.rmbg.udf.process.ModelOptions;
import io.rmbg.udf.process.SegmentedImage;
import io.rmbg.udf.records.ImageEvent;
import io.rmbg.udf.records.JobResult;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the background of each image: fetch and decode, run the segmentation model, compose the
 * cut-out, store the blobs, and emit the job's {@link JobResult}. Use with {@code
 * AsyncDataStream.unorderedWait}.
 *
 * <p>Each parallel instance holds <b>one</b> ONNX Runtime session, opened in {@link #open} and
 * closed in {@link #close}. A small CPU pool fetches, decodes and preprocesses each image straight
 * into a batch buffer; a {@link MicroBatcher} gathers up to {@code batchSize} images (or waits at
 * most {@code batchTimeoutMs} while the model is idle) and runs them in one model call on its own
 * thread, then every image continues on the pool (mask, cut-out, PNG, store) and completes on its
 * own. With two batch buffers, preparing the next batch overlaps the current inference, and the
 * model thread does nothing but run the model; the task thread never blocks. A model whose batch
 * dimension is fixed runs batches of one.
 *
 * <p>Every failure completes the element with a failed result carrying an {@link ErrorCode}; nothing
 * here fails the Flink job. When a batch fails, its images are run once more one by one, so one
 * bad input fails alone as {@code INFERENCE}.
 *
 * <p>Native prerequisite: ONNX Runtime must be on the parent classpath (Flink's {@code lib/}) and
 * the process must run with {@code ORT_DISABLE_TELEMETRY=1}.
 */
public class BackgroundRemovalFunction extends RichAsyncFunction<ImageEvent, JobResult> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundRemovalFunction.class);
    private static final int HISTOGRAM_WINDOW = 1024;
    /** Defaults of {@code inference.batch-size} and {@code inference.batch-timeout-ms}. */
    public static final int DEFAULT_BATCH_SIZE = 4;
    public static final long DEFAULT_BATCH_TIMEOUT_MS = 10;
    /** Two: one batch runs while the next one fills. */
    private static final int BATCH_BUFFERS = 2;

    private final BlobStoreFactory blobStoreFactory;
    private final ImageLimits limits;
    private final ModelOptions modelOptions;
    private final int cpuThreads;
    private final int batchSize;
    private final long batchTimeoutMs;

    private transient BlobStore blobs;
    private transient JobProcessor processor;
    private transient SegmentationModel model;
    private transient ExecutorService cpuPool;
    private transient FloatBuffer[] batchBuffers;
    private transient ThreadLocal<Preprocessor> preprocessors;
    private transient MicroBatcher<DecodedImage, SegmentedImage> batcher;
    private transient Counter received;
    private transient Counter completed;
    private transient Counter failed;
    private transient Histogram inferenceLatency;
    private transient Histogram inferenceBatchSize;
    private transient Histogram endToEndLatency;
    private transient long modelLoadMs;

    /** With the default batching: {@value #DEFAULT_BATCH_SIZE} images, 10 ms. */
    /** The same settings as {@code template}: for subclasses that decorate the function. */
    protected BackgroundRemovalFunction(BackgroundRemovalFunction template) {
        this(template.blobStoreFactory, template.limits, template.modelOptions, template.cpuThreads,
                template.batchSize, template.batchTimeoutMs);
    }

    public BackgroundRemovalFunction(
            BlobStoreFactory blobStoreFactory,
            ImageLimits limits,
            ModelOptions modelOptions,
            int cpuThreads) {
        this(blobStoreFactory, limits, modelOptions, cpuThreads, DEFAULT_BATCH_SIZE, DEFAULT_BATCH_TIMEOUT_MS);
    }

    /**
     * @param cpuThreads the per-slot pool for fetch, decode, preprocess, compose, PNG and upload
     * @param batchSize most images per model call (1: no batching); a fixed-batch model gets 1
     * @param batchTimeoutMs how long a batch's first image waits for more while the model is idle
     */
    public BackgroundRemovalFunction(
            BlobStoreFactory blobStoreFactory,
            ImageLimits limits,
            ModelOptions modelOptions,
            int cpuThreads,
            int batchSize,
            long batchTimeoutMs) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be positive: " + batchSize);
        }
        if (batchTimeoutMs < 0) {
            throw new IllegalArgumentException("batchTimeoutMs cannot be negative: " + batchTimeoutMs);
        }
        this.blobStoreFactory = blobStoreFactory;
        this.limits = limits;
        this.modelOptions = modelOptions;
        this.cpuThreads = Math.max(1, cpuThreads);
        this.batchSize = batchSize;
        this.batchTimeoutMs = batchTimeoutMs;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        long start = System.nanoTime();
        model = SegmentationModel.load(
                Path.of(modelOptions.path()),
                ModelProfile.named(modelOptions.profile()),
                ExecutionDevice.parse(modelOptions.device()),
                modelOptions.intraOpThreads());
        modelLoadMs = (System.nanoTime() - start) / 1_000_000;
        LOG.info("Subtask {} loaded model {} ({}, version {}) in {} ms",
                subtask, modelOptions.path(), model.profile().name(), model.modelVersion(), modelLoadMs);

        blobs = blobStoreFactory.create();
        processor = new JobProcessor(blobs, limits);
        cpuPool = Executors.newFixedThreadPool(cpuThreads, daemonThreads("rmbg-cpu-" + subtask));
        int batch = Math.min(batchSize, model.maxBatchSize());
        if (batch < batchSize) {
            LOG.info("Subtask {}: model {} has a fixed batch dimension; it runs one image per call",
                    subtask, modelOptions.path());
        }
        batchBuffers = new FloatBuffer[BATCH_BUFFERS];
        for (int i = 0; i < BATCH_BUFFERS; i++) {
            batchBuffers[i] = model.newInputBuffer(batch);
        }
        SegmentationModel session = model;
        preprocessors = ThreadLocal.withInitial(session::newPreprocessor);
        batcher = MicroBatcher.<DecodedImage, SegmentedImage>builder("rmbg-inference-" + subtask)
                .maxBatchSize(batch)
                .maxWait(Duration.ofMillis(batchTimeoutMs))
                .buffers(BATCH_BUFFERS)
                .stager((decoded, buffer, index) ->
                        preprocessors.get().pack(decoded.image(), batchBuffers[buffer], index))
                .runner(this::runBatch)
                .stagingExecutor(cpuPool)
                .start();
        registerMetrics(getRuntimeContext().getMetricGroup());
    }

    private void registerMetrics(MetricGroup group) {
        received = group.counter("imagesReceived");
        completed = group.counter("imagesCompleted");
        failed = group.counter("imagesFailed");
        inferenceLatency = group.histogram("inferenceLatencyMs",
                new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        inferenceBatchSize = group.histogram("inferenceBatchSize",
                new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        endToEndLatency = group.histogram("endToEndLatencyMs",
                new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        group.gauge("modelLoadMs", () -> modelLoadMs);
        group.gauge("inferenceQueueDepth", () -> batcher.queued());
    }

    @Override
    public void asyncInvoke(ImageEvent event, ResultFuture<JobResult> resultFuture) {
        received.inc();
        long startedAt = System.currentTimeMillis();
        // Intake and submit share one pool task, so preprocessing (done by submit) never lands on
        // the task thread, as a thenCompose on an already completed future would.
        CompletableFuture
                .supplyAsync(() -> batcher.submit(intake(event, startedAt)), cpuPool)
                .thenCompose(segmented -> segmented)
                .thenApplyAsync(this::finish, cpuPool)
                .exceptionally(e -> failure(event, e))
                .thenAccept(result -> complete(result, resultFuture));
    }

    @Override
    public void timeout(ImageEvent event, ResultFuture<JobResult> resultFuture) {
        complete(JobResult.failed(event, ErrorCode.INFERENCE_TIMEOUT,
                "job did not finish within the async timeout; the model may be overloaded",
                System.currentTimeMillis()), resultFuture);
    }

    /** Fetch, decode, store the original; refuses a model this slot does not serve. CPU pool. */
    private DecodedImage intake(ImageEvent event, long startedAt) {
        String requested = event.params().model();
        if (requested != null && !requested.equals(model.profile().name())) {
            throw new CompletionException(new ProcessingException(ErrorCode.INVALID_EVENT,
                    "params.model '" + requested + "' is not loaded in this job; it serves '"
                            + model.profile().name() + "'"));
        }
        return unchecked(() -> processor.intake(event, startedAt));
    }

    /**
     * Runs one batch on the model thread. The images were preprocessed into its buffer by the CPU
     * pool; here only the model runs. If the batched call fails, each image is run alone once so
     * that only the image that breaks the model fails.
     */
    private void runBatch(MicroBatcher.Batch<DecodedImage, SegmentedImage> batch) {
        FloatBuffer input = batchBuffers[batch.buffer()];
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
            LOG.warn("A batch of {} images failed ({}); running them one by one", n, e.getMessage());
            for (int i = 0; i < n; i++) {
                if (batch.isDone(i)) {
                    continue;
                }
                long s0 = System.nanoTime();
                try {
                    float[] map = model.inferPacked(input, i, 1)[0];
                    long ms = (System.nanoTime() - s0) / 1_000_000;
                    inferenceLatency.update(ms);
                    inferenceBatchSize.update(1);
                    batch.complete(i, segmented(batch.items().get(i), map, ms));
                } catch (ProcessingException single) {
                    batch.fail(i, single);
                }
            }
            return;
        }
        long inferenceMs = (System.nanoTime() - t0) / 1_000_000;
        inferenceLatency.update(inferenceMs);
        inferenceBatchSize.update(n);
        for (int i = 0; i < n; i++) {
            batch.complete(i, segmented(batch.items().get(i), raw[i], inferenceMs));
        }
    }

    private SegmentedImage segmented(DecodedImage decoded, float[] rawMap, long inferenceMs) {
        return new SegmentedImage(decoded, rawMap, model.inputWidth(), model.inputHeight(),
                model.profile().name(), model.modelVersion(), inferenceMs);
    }

    /** Activation, mask, cut-out, PNGs, store. CPU pool. */
    private JobResult finish(SegmentedImage segmented) {
        model.activate(segmented.probabilities());
        return unchecked(() -> processor.finish(segmented));
    }

    private JobResult failure(ImageEvent event, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (cause instanceof ProcessingException pe) {
            return JobResult.failed(event, pe.code(), pe.getMessage(), System.currentTimeMillis());
        }
        LOG.warn("Job {} from {} failed unexpectedly", event.jobId(), event.sourcePosition(), cause);
        return JobResult.failed(event, ErrorCode.INFERENCE,
                "unexpected " + cause.getClass().getSimpleName() + ": " + cause.getMessage(),
                System.currentTimeMillis());
    }

    private void complete(JobResult result, ResultFuture<JobResult> resultFuture) {
        (result.isCompleted() ? completed : failed).inc();
        endToEndLatency.update(result.processingTimeMs());
        resultFuture.complete(List.of(result));
    }

    @Override
    public void close() throws Exception {
        // The batcher first: it fails what has not run and waits for the running batch, so the
        // session is idle when it closes below.
        if (batcher != null) {
            batcher.close();
        }
        shutdown(cpuPool);
        if (model != null) {
            model.close();
            model = null;
        }
        if (blobs != null) {
            blobs.close();
            blobs = null;
        }
    }

    /** The largest batch the model has run so far (the {@code inferenceBatchSize} histogram); for tests. */
    public long largestBatchSoFar() {
        return inferenceBatchSize == null ? 0 : inferenceBatchSize.getStatistics().getMax();
    }

    /** Whether this instance holds an open model session; for tests of the lifecycle. */
    public boolean isModelOpen() {
        return model != null;
    }

    private static void shutdown(ExecutorService executor) throws InterruptedException {
        if (executor != null) {
            executor.shutdownNow();
            executor.awaitTermination(30, TimeUnit.SECONDS);
        }
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private interface Stage<T> {
        T run() throws ProcessingException;
    }

    private static <T> T unchecked(Stage<T> stage) {
        try {
            return stage.run();
        } catch (ProcessingException e) {
            throw new CompletionException(e);
        }
    }
}
