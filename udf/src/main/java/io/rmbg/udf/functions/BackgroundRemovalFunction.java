package io.rmbg.udf.functions;

import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

import io.rmbg.udf.blob.BlobStore;
import io.rmbg.udf.blob.BlobStoreFactory;
import io.rmbg.udf.error.ErrorCode;
import io.rmbg.udf.error.ProcessingException;
import io.rmbg.udf.inference.DeviceSelection;
import io.rmbg.udf.inference.ExecutionDevice;
import io.rmbg.udf.inference.ModelProfile;
import io.rmbg.udf.inference.NonFiniteOutputException;
import io.rmbg.udf.inference.SegmentationModel;
import io.rmbg.udf.process.Cancellation;
import io.rmbg.udf.process.ImageLimits;
import io.rmbg.udf.process.JobProcessor;
import io.rmbg.udf.process.MemoryBudget;
import io.rmbg.udf.process.ModelOptions;
import io.rmbg.udf.records.ImageEvent;
import io.rmbg.udf.records.JobResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Removes the background of each image: fetch and decode, run the segmentation model, compose the
 * cut-out, store the blobs, and emit the job's {@link JobResult}. Use with {@code
 * AsyncDataStream.unorderedWait}.
 *
 * <p>Each parallel instance holds <b>one</b> ONNX Runtime session per model it serves: the default
 * model's, opened in {@link #open}, and one for each additional model ({@code model.additional}),
 * opened the first time an event asks for it in {@code params.model} and kept; all are closed in
 * {@link #close}. The device comes from {@code model.device} and the GPUs Flink assigned to the
 * TaskManager ({@link DeviceSelection}).
 *
 * <p>Three kinds of threads, so that the model never waits on the CPU and a slow PNG never holds up
 * the next batch:
 *
 * <ul>
 *   <li>the <b>CPU pool</b> ({@code cpuThreads}) fetches, decodes and preprocesses each image
 *       straight into a batch buffer of its model's {@link ModelLane};
 *   <li>each lane's <b>model thread</b> gathers up to {@code batchSize} images (or waits at most
 *       {@code batchTimeoutMs} while the model is idle) and runs them in one call; with two batch
 *       buffers, preparing the next batch overlaps the current inference;
 *   <li>the <b>postprocess pool</b> ({@code postprocessThreads}) turns each image's map into the
 *       mask and cut-out, encodes the PNGs, hashes and uploads them, and completes the image on its
 *       own.
 * </ul>
 *
 * The task thread never blocks, and neither does an image waiting for its turn: the slot admits
 * decodes by their estimated heap cost into a {@link MemoryBudget} ({@code memoryBudgetBytes}), so
 * many large images in flight wait instead of exhausting the heap.
 *
 * <p>When Flink's async timeout fires, the image's result is {@code INFERENCE_TIMEOUT} and its
 * {@link Cancellation} withdraws the rest of its work: it leaves the budget and model queues, and
 * no stage starts nor blob is written for it afterwards ({@link JobStages}).
 *
 * <p>Every failure of an image completes the element with a failed result carrying an {@link
 * ErrorCode}; a model output with NaN or infinity fails as {@code INFERENCE} (metric {@code
 * nonFiniteOutputs}). When a batch fails, its images are run once more one by one, so one bad input
 * fails alone as {@code INFERENCE}. Only a JVM {@link Error} such as {@link OutOfMemoryError} fails
 * the task (Flink restarts it) instead of becoming a row ({@link JobFailures}).
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

    /**
     * Default of {@code inference.memory-budget-mb}: 1 GiB of decoded images in flight per slot.
     */
    public static final long DEFAULT_MEMORY_BUDGET_BYTES = 1024L << 20;

    private final BlobStoreFactory blobStoreFactory;
    private final ImageLimits limits;
    private final ModelOptions modelOptions;
    private final int cpuThreads;
    private final int postprocessThreads;
    private final int batchSize;
    private final long batchTimeoutMs;
    private final long memoryBudgetBytes;

    private transient int subtask;
    private transient ExecutionDevice device;
    private transient BlobStore blobs;
    private transient JobStages stages;
    private transient MemoryBudget memoryBudget;
    private transient Map<ImageEvent, JobInFlight> running;
    private transient ExecutorService cpuPool;
    private transient ExecutorService postprocessPool;
    private transient ExecutorService modelLoader;
    private transient Map<String, CompletableFuture<ModelLane>> lanes;
    private transient ModelLane defaultLane;
    private transient Counter received;
    private transient Counter completed;
    private transient Counter failed;
    private transient Counter nonFiniteOutputs;
    private transient Histogram inferenceLatency;
    private transient Histogram inferenceBatchSize;
    private transient Histogram endToEndLatency;
    private transient long modelLoadMs;

    /** The same settings as {@code template}: for subclasses that decorate the function. */
    protected BackgroundRemovalFunction(BackgroundRemovalFunction template) {
        this(
                template.blobStoreFactory,
                template.limits,
                template.modelOptions,
                template.cpuThreads,
                template.postprocessThreads,
                template.batchSize,
                template.batchTimeoutMs,
                template.memoryBudgetBytes);
    }

    /** With the default batching ({@value #DEFAULT_BATCH_SIZE} images, 10 ms) and equal pools. */
    public BackgroundRemovalFunction(
            BlobStoreFactory blobStoreFactory,
            ImageLimits limits,
            ModelOptions modelOptions,
            int cpuThreads) {
        this(
                blobStoreFactory,
                limits,
                modelOptions,
                cpuThreads,
                cpuThreads,
                DEFAULT_BATCH_SIZE,
                DEFAULT_BATCH_TIMEOUT_MS);
    }

    /**
     * @param cpuThreads the per-slot pool for fetch, decode and preprocess
     * @param postprocessThreads the per-slot pool for mask, cut-out, PNG, hashing and upload
     * @param batchSize most images per model call (1: no batching); a fixed-batch model gets 1
     * @param batchTimeoutMs how long a batch's first image waits for more while the model is idle
     */
    public BackgroundRemovalFunction(
            BlobStoreFactory blobStoreFactory,
            ImageLimits limits,
            ModelOptions modelOptions,
            int cpuThreads,
            int postprocessThreads,
            int batchSize,
            long batchTimeoutMs) {
        this(
                blobStoreFactory,
                limits,
                modelOptions,
                cpuThreads,
                postprocessThreads,
                batchSize,
                batchTimeoutMs,
                DEFAULT_MEMORY_BUDGET_BYTES);
    }

    private BackgroundRemovalFunction(
            BlobStoreFactory blobStoreFactory,
            ImageLimits limits,
            ModelOptions modelOptions,
            int cpuThreads,
            int postprocessThreads,
            int batchSize,
            long batchTimeoutMs,
            long memoryBudgetBytes) {
        if (memoryBudgetBytes <= 0) {
            throw new IllegalArgumentException(
                    "memoryBudgetBytes must be positive: " + memoryBudgetBytes);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be positive: " + batchSize);
        }
        if (batchTimeoutMs < 0) {
            throw new IllegalArgumentException(
                    "batchTimeoutMs cannot be negative: " + batchTimeoutMs);
        }
        this.blobStoreFactory = blobStoreFactory;
        this.limits = limits;
        this.modelOptions = modelOptions;
        this.cpuThreads = Math.max(1, cpuThreads);
        this.postprocessThreads = Math.max(1, postprocessThreads);
        this.batchSize = batchSize;
        this.batchTimeoutMs = batchTimeoutMs;
        this.memoryBudgetBytes = memoryBudgetBytes;
    }

    /**
     * The same function with a per-slot budget of {@code bytes} for decoded images in flight
     * (default {@link #DEFAULT_MEMORY_BUDGET_BYTES}); an image estimated to need more alone fails
     * as {@code IMAGE_TOO_LARGE}.
     */
    public BackgroundRemovalFunction withMemoryBudget(long bytes) {
        return new BackgroundRemovalFunction(
                blobStoreFactory,
                limits,
                modelOptions,
                cpuThreads,
                postprocessThreads,
                batchSize,
                batchTimeoutMs,
                bytes);
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        DeviceSelection.Choice choice =
                DeviceSelection.choose(
                        modelOptions.device(),
                        assignedGpus(
                                getRuntimeContext()
                                        .getExternalResourceInfos(
                                                DeviceSelection.FLINK_GPU_RESOURCE)),
                        subtask);
        device = choice.device();
        LOG.info("Subtask {} runs its models on {} ({})", subtask, device, choice.reason());

        blobs = blobStoreFactory.create();
        cpuPool = Executors.newFixedThreadPool(cpuThreads, daemonThreads("rmbg-cpu-" + subtask));
        postprocessPool =
                Executors.newFixedThreadPool(
                        postprocessThreads, daemonThreads("rmbg-post-" + subtask));
        memoryBudget = new MemoryBudget(memoryBudgetBytes);
        stages =
                new JobStages(
                        new JobProcessor(blobs, limits), memoryBudget, cpuPool, postprocessPool);
        running = Collections.synchronizedMap(new IdentityHashMap<>());
        modelLoader =
                Executors.newSingleThreadExecutor(daemonThreads("rmbg-model-loader-" + subtask));
        registerMetrics(getRuntimeContext().getMetricGroup());

        lanes = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        try {
            defaultLane = openLane(modelOptions.profile(), modelOptions.path());
        } catch (RuntimeException e) {
            close(); // the pools and the blob store, whether or not Flink calls close() after a
            // failed open
            throw e;
        }
        modelLoadMs = (System.nanoTime() - start) / 1_000_000;
        lanes.put(
                defaultLane.model().profile().name(),
                CompletableFuture.completedFuture(defaultLane));
    }

    /**
     * Loads a model and starts its lane; the caller decides whether a failure fails the slot or an
     * event.
     */
    private ModelLane openLane(String profileName, String path) {
        long start = System.nanoTime();
        SegmentationModel model =
                SegmentationModel.load(
                        Path.of(path),
                        ModelProfile.named(profileName),
                        device,
                        modelOptions.intraOpThreads(),
                        modelOptions.gpu());
        LOG.info(
                "Subtask {} loaded model {} ({}, version {}) on {} in {} ms",
                subtask,
                path,
                model.profile().name(),
                model.modelVersion(),
                model.executionProvider(),
                (System.nanoTime() - start) / 1_000_000);
        try {
            return new ModelLane(
                    model,
                    "rmbg-inference-" + model.profile().name() + "-" + subtask,
                    batchSize,
                    batchTimeoutMs,
                    cpuPool,
                    this::recordModelCall);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private void recordModelCall(int images, long millis) {
        inferenceLatency.update(millis);
        inferenceBatchSize.update(images);
    }

    private void registerMetrics(MetricGroup group) {
        received = group.counter("imagesReceived");
        completed = group.counter("imagesCompleted");
        failed = group.counter("imagesFailed");
        nonFiniteOutputs = group.counter("nonFiniteOutputs");
        inferenceLatency =
                group.histogram(
                        "inferenceLatencyMs", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        inferenceBatchSize =
                group.histogram(
                        "inferenceBatchSize", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        endToEndLatency =
                group.histogram(
                        "endToEndLatencyMs", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        group.gauge("modelLoadMs", () -> modelLoadMs);
        group.gauge("inferenceQueueDepth", this::queued);
    }

    private int queued() {
        int queued = 0;
        Map<String, CompletableFuture<ModelLane>> current = lanes;
        if (current != null) {
            for (CompletableFuture<ModelLane> lane : current.values()) {
                if (lane.isDone() && !lane.isCompletedExceptionally()) {
                    queued += lane.join().queued();
                }
            }
        }
        return queued;
    }

    @Override
    public void asyncInvoke(ImageEvent event, ResultFuture<JobResult> resultFuture) {
        received.inc();
        long startedAt = System.currentTimeMillis();
        // Keyed by identity: Flink hands timeout() the very event object, and equal events (a
        // replayed job_id) may be in flight together.
        JobInFlight job = new JobInFlight();
        running.put(event, job);
        stages.run(event, laneFor(event), startedAt, job)
                .whenComplete(
                        (result, error) -> {
                            running.remove(event);
                            if (job.cancellation().isCancelled()) {
                                return; // timeout() has answered for this element
                            }
                            if (error == null) {
                                complete(result, resultFuture);
                            } else if (JobFailures.failsTheTask(error)) {
                                resultFuture.completeExceptionally(JobFailures.cause(error));
                            } else {
                                if (JobFailures.cause(error) instanceof NonFiniteOutputException) {
                                    nonFiniteOutputs.inc();
                                }
                                complete(
                                        JobFailures.failedResult(
                                                event,
                                                error,
                                                job.decoded(),
                                                System.currentTimeMillis()),
                                        resultFuture);
                            }
                        });
    }

    /** Answers {@code INFERENCE_TIMEOUT} and withdraws the element's remaining work. */
    @Override
    public void timeout(ImageEvent event, ResultFuture<JobResult> resultFuture) {
        JobInFlight job = running.remove(event);
        if (job != null) {
            job.cancellation().cancel("the job timed out (inference.timeout-ms)");
        }
        complete(
                JobFailures.failed(
                        event,
                        job == null ? null : job.decoded(),
                        ErrorCode.INFERENCE_TIMEOUT,
                        "job did not finish within the async timeout; the model may be overloaded",
                        System.currentTimeMillis()),
                resultFuture);
    }

    /**
     * The lane of the model {@code params.model} names, the default one without it. An additional
     * model is loaded on the loader thread the first time it is asked for; the events asking for it
     * meanwhile wait for that one load. A model that fails to load fails every event asking for it,
     * with the reason, until the job restarts.
     */
    private CompletableFuture<ModelLane> laneFor(ImageEvent event) {
        String requested = event.params().model();
        if (requested == null) {
            return CompletableFuture.completedFuture(defaultLane);
        }
        ModelProfile profile;
        try {
            profile = ModelProfile.named(requested);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(
                    new ProcessingException(
                            ErrorCode.INVALID_EVENT, "params.model: " + e.getMessage()));
        }
        CompletableFuture<ModelLane> lane = lanes.get(profile.name());
        if (lane != null) {
            return lane;
        }
        Optional<String> path = modelOptions.pathOf(profile.name());
        if (path.isEmpty()) {
            return CompletableFuture.failedFuture(
                    new ProcessingException(
                            ErrorCode.INVALID_EVENT,
                            "params.model '"
                                    + requested
                                    + "' is not served by this job; it serves "
                                    + modelOptions.servedProfiles()
                                    + " (add more with model.additional)"));
        }
        return lanes.computeIfAbsent(
                profile.name(),
                name ->
                        CompletableFuture.supplyAsync(
                                () -> {
                                    try {
                                        return openLane(name, path.get());
                                    } catch (RuntimeException e) {
                                        LOG.error(
                                                "Subtask {} cannot load model {} for profile {}",
                                                subtask,
                                                path.get(),
                                                name,
                                                e);
                                        throw new CompletionException(
                                                new ProcessingException(
                                                        ErrorCode.INFERENCE,
                                                        "model '"
                                                                + name
                                                                + "' ("
                                                                + path.get()
                                                                + ") cannot be loaded: "
                                                                + e.getMessage()));
                                    }
                                },
                                modelLoader));
    }

    private void complete(JobResult result, ResultFuture<JobResult> resultFuture) {
        (result.isCompleted() ? completed : failed).inc();
        endToEndLatency.update(result.processingTimeMs());
        resultFuture.complete(List.of(result));
    }

    @Override
    public void close() throws Exception {
        // The lanes first: each fails what has not run and waits for its running batch before its
        // session closes. A model still loading is not waited for (a TensorRT engine build can
        // outlast Flink's cancellation timeout): its lane closes itself when the load ends.
        if (modelLoader != null) {
            modelLoader.shutdownNow(); // loads not yet started never start
        }
        if (lanes != null) {
            for (CompletableFuture<ModelLane> lane : lanes.values()) {
                if (lane.isDone()) {
                    if (!lane.isCompletedExceptionally()) {
                        lane.join().close();
                    }
                } else {
                    lane.thenAccept(BackgroundRemovalFunction::closeLoadedLate);
                }
            }
            lanes = null;
            defaultLane = null;
        }
        shutdown(cpuPool);
        shutdown(postprocessPool);
        if (blobs != null) {
            blobs.close();
            blobs = null;
        }
    }

    private static void closeLoadedLate(ModelLane lane) {
        try {
            lane.close();
            LOG.info(
                    "Closed model {}, which finished loading after its function closed",
                    lane.model());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The profiles with an open session in this instance; for tests. */
    public List<String> loadedModels() {
        List<String> names = new ArrayList<>();
        if (lanes != null) {
            lanes.forEach(
                    (name, lane) -> {
                        if (lane.isDone() && !lane.isCompletedExceptionally()) {
                            names.add(name);
                        }
                    });
        }
        return names;
    }

    /**
     * The largest batch the model has run so far (the {@code inferenceBatchSize} histogram); for
     * tests.
     */
    public long largestBatchSoFar() {
        return inferenceBatchSize == null ? 0 : inferenceBatchSize.getStatistics().getMax();
    }

    /**
     * Jobs failed because the model answered NaN or infinity (metric {@code nonFiniteOutputs}); for
     * tests.
     */
    public long nonFiniteOutputsSoFar() {
        return nonFiniteOutputs == null ? 0 : nonFiniteOutputs.getCount();
    }

    /** The slot's budget for decoded images; null before {@link #open}. For tests. */
    public MemoryBudget memoryBudget() {
        return memoryBudget;
    }

    /** Whether this instance holds an open model session; for tests of the lifecycle. */
    public boolean isModelOpen() {
        return defaultLane != null;
    }

    /**
     * The indexes of the GPUs Flink assigned to this TaskManager (the GPU driver's "index"
     * property).
     */
    static List<String> assignedGpus(Collection<ExternalResourceInfo> infos) {
        List<String> indexes = new ArrayList<>();
        for (ExternalResourceInfo info : infos) {
            info.getProperty(DeviceSelection.FLINK_GPU_INDEX_PROPERTY).ifPresent(indexes::add);
        }
        return indexes;
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
}
