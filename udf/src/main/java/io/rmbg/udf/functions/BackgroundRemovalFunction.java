package io.rmbg.udf.functions;

import io.rmbg.udf.blob.BlobStore;
import io.rmbg.udf.blob.BlobStoreFactory;
import io.rmbg.udf.error.ErrorCode;
import io.rmbg.udf.error.ProcessingException;
import io.rmbg.udf.inference.ExecutionDevice;
import io.rmbg.udf.inference.ModelProfile;
import io.rmbg.udf.inference.SegmentationModel;
import io.rmbg.udf.process.DecodedImage;
import io.rmbg.udf.process.ImageLimits;
import io.rmbg.udf.process.JobProcessor;
import io.rmbg.udf.process.ModelOptions;
import io.rmbg.udf.process.SegmentedImage;
import io.rmbg.udf.records.ImageEvent;
import io.rmbg.udf.records.JobResult;
import java.nio.file.Path;
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
 * closed in {@link #close}; inference runs on one thread of its own (a session serves one call at a
 * time), and the CPU stages on a small pool, so decoding the next image overlaps the current
 * inference and the task thread never blocks. Every failure completes the element with a failed
 * result carrying an {@link ErrorCode}; nothing here fails the Flink job.
 *
 * <p>Native prerequisite: ONNX Runtime must be on the parent classpath (Flink's {@code lib/}) and
 * the process must run with {@code ORT_DISABLE_TELEMETRY=1}.
 */
public class BackgroundRemovalFunction extends RichAsyncFunction<ImageEvent, JobResult> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundRemovalFunction.class);
    private static final int HISTOGRAM_WINDOW = 1024;

    private final BlobStoreFactory blobStoreFactory;
    private final ImageLimits limits;
    private final ModelOptions modelOptions;
    private final int cpuThreads;

    private transient BlobStore blobs;
    private transient JobProcessor processor;
    private transient SegmentationModel model;
    private transient ExecutorService cpuPool;
    private transient ExecutorService inferenceThread;
    private transient AtomicInteger inferenceQueue;
    private transient Counter received;
    private transient Counter completed;
    private transient Counter failed;
    private transient Histogram inferenceLatency;
    private transient Histogram inferenceBatchSize;
    private transient Histogram endToEndLatency;
    private transient long modelLoadMs;

    public BackgroundRemovalFunction(
            BlobStoreFactory blobStoreFactory,
            ImageLimits limits,
            ModelOptions modelOptions,
            int cpuThreads) {
        this.blobStoreFactory = blobStoreFactory;
        this.limits = limits;
        this.modelOptions = modelOptions;
        this.cpuThreads = Math.max(1, cpuThreads);
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
        inferenceThread = Executors.newSingleThreadExecutor(daemonThreads("rmbg-inference-" + subtask));
        inferenceQueue = new AtomicInteger();
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
        group.gauge("inferenceQueueDepth", () -> inferenceQueue.get());
    }

    @Override
    public void asyncInvoke(ImageEvent event, ResultFuture<JobResult> resultFuture) {
        received.inc();
        long startedAt = System.currentTimeMillis();
        CompletableFuture
                .supplyAsync(() -> unchecked(() -> processor.intake(event, startedAt)), cpuPool)
                .thenApplyAsync(this::segment, queued(inferenceThread))
                .thenApplyAsync(s -> unchecked(() -> processor.finish(s)), cpuPool)
                .exceptionally(e -> failure(event, e))
                .thenAccept(result -> complete(result, resultFuture));
    }

    @Override
    public void timeout(ImageEvent event, ResultFuture<JobResult> resultFuture) {
        complete(JobResult.failed(event, ErrorCode.INFERENCE_TIMEOUT,
                "job did not finish within the async timeout; the model may be overloaded",
                System.currentTimeMillis()), resultFuture);
    }

    private SegmentedImage segment(DecodedImage decoded) {
        inferenceQueue.decrementAndGet();
        String requested = decoded.event().params().model();
        if (requested != null && !requested.equals(model.profile().name())) {
            throw new CompletionException(new ProcessingException(ErrorCode.INVALID_EVENT,
                    "params.model '" + requested + "' is not loaded in this job; it serves '"
                            + model.profile().name() + "'"));
        }
        long t0 = System.nanoTime();
        float[][] masks = unchecked(() -> model.infer(List.of(decoded.image())));
        long inferenceMs = (System.nanoTime() - t0) / 1_000_000;
        inferenceLatency.update(inferenceMs);
        inferenceBatchSize.update(1);
        return new SegmentedImage(decoded, masks[0], model.inputWidth(), model.inputHeight(),
                model.profile().name(), model.modelVersion(), inferenceMs);
    }

    /** Counts work waiting for the inference thread, for the {@code inferenceQueueDepth} gauge. */
    private java.util.concurrent.Executor queued(ExecutorService executor) {
        return task -> {
            inferenceQueue.incrementAndGet();
            executor.execute(task);
        };
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
        shutdown(cpuPool);
        shutdown(inferenceThread);
        if (model != null) {
            model.close();
            model = null;
        }
        if (blobs != null) {
            blobs.close();
            blobs = null;
        }
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
