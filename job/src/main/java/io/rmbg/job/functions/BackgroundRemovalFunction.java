package io.rmbg.job.functions;

import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

import io.rmbg.core.blob.BlobStoreFactory;
import io.rmbg.core.crypto.BlobSealer;
import io.rmbg.core.inference.DeviceSelection;
import io.rmbg.core.process.BackgroundRemover;
import io.rmbg.core.process.MemoryBudget;
import io.rmbg.core.process.ModelOptions;
import io.rmbg.core.process.RemovalJob;
import io.rmbg.core.process.RemoverSettings;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.JobResult;
import io.rmbg.core.reuse.ResultIndexFactory;
import io.rmbg.core.reuse.ReuseSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Removes the background of each image with one {@link BackgroundRemover} per parallel instance:
 * the remover does the work (pools, model lanes, memory budget, failure mapping); this function
 * opens it on the device Flink assigned, hands it each element, answers Flink's async timeout and
 * reports {@link RemovalMetrics}. Use with {@code AsyncDataStream.unorderedWait}.
 *
 * <p>The device comes from {@code model.device} and the GPUs Flink assigned to the TaskManager
 * ({@link DeviceSelection}). When the async timeout fires, the element's result is {@code
 * INFERENCE_TIMEOUT} and the rest of its work is withdrawn ({@link RemovalJob#timeOut}). Only a JVM
 * {@link Error} such as {@link OutOfMemoryError} fails the task (Flink restarts it) instead of
 * becoming a row.
 *
 * <p>Native prerequisite: ONNX Runtime must be on the parent classpath (Flink's {@code lib/}) and
 * the process must run with {@code ORT_DISABLE_TELEMETRY=1}.
 */
public class BackgroundRemovalFunction extends RichAsyncFunction<ImageEvent, JobResult> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundRemovalFunction.class);

    private final BlobStoreFactory blobStoreFactory;
    private final ModelOptions modelOptions;
    private final RemoverSettings settings;
    private final ResultIndexFactory reuseIndex;
    private final ReuseSettings reuseSettings;
    private final BlobSealer sealer;

    private transient BackgroundRemover remover;
    private transient RemovalMetrics metrics;
    private transient Map<ImageEvent, RemovalJob> running;

    /** Without result reuse. */
    public BackgroundRemovalFunction(
            BlobStoreFactory blobStoreFactory,
            ModelOptions modelOptions,
            RemoverSettings settings) {
        this(blobStoreFactory, modelOptions, settings, null, ReuseSettings.OFF, BlobSealer.OFF);
    }

    private BackgroundRemovalFunction(
            BlobStoreFactory blobStoreFactory,
            ModelOptions modelOptions,
            RemoverSettings settings,
            ResultIndexFactory reuseIndex,
            ReuseSettings reuseSettings,
            BlobSealer sealer) {
        this.blobStoreFactory = requireNonNull(blobStoreFactory, "blobStoreFactory cannot be null");
        this.modelOptions = requireNonNull(modelOptions, "modelOptions cannot be null");
        this.settings = requireNonNull(settings, "settings cannot be null");
        this.reuseIndex = reuseIndex;
        this.reuseSettings = requireNonNull(reuseSettings, "reuseSettings cannot be null");
        this.sealer = requireNonNull(sealer, "sealer cannot be null");
    }

    /** The same settings as {@code template}: for subclasses that decorate the function. */
    protected BackgroundRemovalFunction(BackgroundRemovalFunction template) {
        this(
                template.blobStoreFactory,
                template.modelOptions,
                template.settings,
                template.reuseIndex,
                template.reuseSettings,
                template.sealer);
    }

    /**
     * The same function serving identical earlier results from the index {@code index} opens, as
     * {@code reuse} says (metrics {@code resultCacheHits}, {@code resultCacheMisses}).
     */
    public BackgroundRemovalFunction withReuse(ResultIndexFactory index, ReuseSettings reuse) {
        return new BackgroundRemovalFunction(
                blobStoreFactory, modelOptions, settings, requireNonNull(index), reuse, sealer);
    }

    /**
     * The same function storing the blobs of sensitive images sealed by {@code sealer} ({@code
     * security.*}).
     */
    public BackgroundRemovalFunction withSealing(BlobSealer sealer) {
        return new BackgroundRemovalFunction(
                blobStoreFactory, modelOptions, settings, reuseIndex, reuseSettings, sealer);
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        DeviceSelection.Choice choice =
                DeviceSelection.choose(
                        modelOptions.device(),
                        assignedGpus(
                                getRuntimeContext()
                                        .getExternalResourceInfos(
                                                DeviceSelection.FLINK_GPU_RESOURCE)),
                        subtask);
        LOG.info(
                "Subtask {} runs its models on {} ({})", subtask, choice.device(), choice.reason());
        metrics = new RemovalMetrics(getRuntimeContext().getMetricGroup());
        // Keyed by identity: Flink hands timeout() the very event object, and equal events (a
        // replayed job_id) may be in flight together.
        running = Collections.synchronizedMap(new IdentityHashMap<>());
        BackgroundRemover.Builder builder =
                BackgroundRemover.builder(modelOptions, settings, blobStoreFactory.create())
                        .name(String.valueOf(subtask))
                        .device(choice.device())
                        .listener(metrics)
                        .sealing(sealer);
        if (reuseIndex != null && reuseSettings.enabled()) {
            builder.reuse(reuseIndex.create(), reuseSettings);
        }
        remover = builder.open();
        metrics.watch(remover);
    }

    @Override
    public void asyncInvoke(ImageEvent event, ResultFuture<JobResult> resultFuture) {
        metrics.received();
        RemovalJob job = remover.submit(event);
        running.put(event, job);
        job.result()
                .whenComplete(
                        (result, error) -> {
                            running.remove(event);
                            if (error != null) {
                                resultFuture.completeExceptionally(error);
                            } else {
                                metrics.finished(result);
                                resultFuture.complete(List.of(result));
                            }
                        });
    }

    /** Answers {@code INFERENCE_TIMEOUT} and withdraws the element's remaining work. */
    @Override
    public void timeout(ImageEvent event, ResultFuture<JobResult> resultFuture) {
        RemovalJob job = running.get(event);
        // Without a job, or when timeOut() comes second, the job has finished and its
        // whenComplete in asyncInvoke answers; otherwise that whenComplete answers the timeout.
        if (job != null) {
            job.timeOut(System.currentTimeMillis());
        }
    }

    @Override
    public void close() throws Exception {
        if (remover != null) {
            remover.close();
            remover = null;
        }
    }

    /** The profiles with an open session in this instance; for tests. */
    public List<String> loadedModels() {
        return remover == null ? List.of() : remover.loadedModels();
    }

    /** Jobs answered with an earlier identical result ({@code resultCacheHits}); for tests. */
    public long resultCacheHitsSoFar() {
        return metrics == null ? 0 : metrics.resultCacheHits();
    }

    /** The largest batch the model has run so far ({@code inferenceBatchSize}); for tests. */
    public long largestBatchSoFar() {
        return metrics == null ? 0 : metrics.largestBatch();
    }

    /** Jobs failed because the model answered NaN or infinity ({@code nonFiniteOutputs}). */
    public long nonFiniteOutputsSoFar() {
        return metrics == null ? 0 : metrics.nonFiniteOutputs();
    }

    /** The slot's budget for decoded images; null before {@link #open}. For tests. */
    public MemoryBudget memoryBudget() {
        return remover == null ? null : remover.memoryBudget();
    }

    /** Whether this instance holds an open model session; for tests of the lifecycle. */
    public boolean isModelOpen() {
        return remover != null;
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
}
