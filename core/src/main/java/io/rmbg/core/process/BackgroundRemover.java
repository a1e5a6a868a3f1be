package io.rmbg.core.process;

import io.rmbg.core.blob.BlobStore;
import io.rmbg.core.crypto.BlobSealer;
import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.inference.ExecutionDevice;
import io.rmbg.core.inference.NonFiniteOutputException;
import io.rmbg.core.inference.SegmentationModel;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.JobResult;
import io.rmbg.core.reuse.ResultIndex;
import io.rmbg.core.reuse.ResultReuse;
import io.rmbg.core.reuse.ReuseSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * Removes the background of images, one {@link ImageEvent} at a time: fetch and decode, run the
 * segmentation model, compose the cut-out, store the blobs, and answer the job's {@link JobResult}.
 * Plain Java: the Flink function, the tests and the benchmark all run images through this class.
 *
 * <pre>{@code
 * try (BackgroundRemover remover =
 *         BackgroundRemover.open("demo", ExecutionDevice.cpu(), models, settings, blobs)) {
 *     JobResult result = remover.submit(event).result().join();
 * }
 * }</pre>
 *
 * <p>It holds <b>one</b> ONNX Runtime session per model it serves: the default model's, opened by
 * {@link #open}, and one for each additional model ({@code model.additional}), opened the first
 * time an event asks for it in {@code params.model} and kept; {@link #close} closes all of them.
 *
 * <p>Three kinds of threads, so that the model never waits on the CPU and a slow PNG never holds up
 * the next batch:
 *
 * <ul>
 *   <li>the <b>CPU pool</b> fetches, decodes and preprocesses each image straight into a batch
 *       buffer of its model's {@link ModelLane};
 *   <li>each lane's <b>model thread</b> gathers up to {@code batchSize} images (or waits at most
 *       {@code batchTimeoutMs} while the model is idle) and runs them in one call; with two batch
 *       buffers, preparing the next batch overlaps the current inference;
 *   <li>the <b>postprocess pool</b> turns each image's map into the mask and cut-out, encodes the
 *       PNGs, hashes and uploads them, and completes the image on its own.
 * </ul>
 *
 * No caller's thread ever blocks, and neither does an image waiting for its turn: decodes are
 * admitted by their estimated heap cost into a {@link MemoryBudget}, so many large images in flight
 * wait instead of exhausting the heap.
 *
 * <p>Every failure of an image completes its result as a failed row with an {@link ErrorCode}; a
 * model output with NaN or infinity fails as {@code INFERENCE} ({@link Listener#nonFiniteOutput}).
 * When a batch fails, its images are run once more one by one, so one bad input fails alone. Only a
 * JVM {@link Error} such as {@link OutOfMemoryError} completes the result exceptionally ({@link
 * JobFailures}).
 *
 * <p>Native prerequisite: ONNX Runtime on the classpath and {@code ORT_DISABLE_TELEMETRY=1}.
 */
public final class BackgroundRemover implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundRemover.class);

    /** What a remover reports as it works; each method is called from the remover's threads. */
    public interface Listener {
        Listener NONE = new Listener() {};

        /** A model call ran {@code images} images in {@code millis} ms. */
        default void modelCall(int images, long millis) {}

        /** A job failed because the model answered NaN or infinity. */
        default void nonFiniteOutput() {}

        /** A job was answered with an identical earlier result ({@code resultCacheHits}). */
        default void resultCacheHit() {}

        /** A job that could reuse found no earlier result ({@code resultCacheMisses}). */
        default void resultCacheMiss() {}

        /** The result reuse index could not be reached; the job was computed. */
        default void resultIndexUnavailable() {}

        /** A reuse entry named a blob that is gone; the job was computed and stored it again. */
        default void resultCacheStale() {}
    }

    private final ExecutionDevice device;
    private final BlobStore blobs;
    private final Listener listener;
    private final ExecutorService cpuPool;
    private final ExecutorService postprocessPool;
    private final MemoryBudget memoryBudget;
    private final JobStages stages;
    private final ResultReuse reuse;
    private ModelLanes lanes;

    private BackgroundRemover(
            String name,
            ExecutionDevice device,
            RemoverSettings settings,
            BlobStore blobs,
            Listener listener,
            ResultIndex index,
            ReuseSettings reuseSettings,
            BlobSealer sealer) {
        requireNonNull(name, "name cannot be null");
        requireNonNull(settings, "settings cannot be null");
        this.device = requireNonNull(device, "device cannot be null");
        this.blobs = requireNonNull(blobs, "blobs cannot be null");
        this.listener = requireNonNull(listener, "listener cannot be null");
        cpuPool =
                Executors.newFixedThreadPool(
                        settings.cpuThreads(), DaemonThreads.named("rmbg-cpu-" + name));
        postprocessPool =
                Executors.newFixedThreadPool(
                        settings.postprocessThreads(), DaemonThreads.named("rmbg-post-" + name));
        memoryBudget = new MemoryBudget(settings.memoryBudgetBytes());
        // Under security.encrypt-all every blob is sealed per user: nothing may be shared.
        reuse =
                index == null || !reuseSettings.enabled() || sealer.sealsAll()
                        ? ResultReuse.OFF
                        : new ResultReuse(index, blobs, reuseSettings, reuseListener(listener));
        stages =
                new JobStages(
                        new JobProcessor(blobs, settings.limits(), sealer),
                        memoryBudget,
                        cpuPool,
                        postprocessPool,
                        reuse);
    }

    /** Like {@link #builder} with a name and a device, without a listener or reuse. */
    public static BackgroundRemover open(
            String name,
            ExecutionDevice device,
            ModelOptions models,
            RemoverSettings settings,
            BlobStore blobs) {
        return builder(models, settings, blobs).name(name).device(device).open();
    }

    /** Like {@link #builder} with a name, a device and a listener, without reuse. */
    public static BackgroundRemover open(
            String name,
            ExecutionDevice device,
            ModelOptions models,
            RemoverSettings settings,
            BlobStore blobs,
            Listener listener) {
        return builder(models, settings, blobs).name(name).device(device).listener(listener).open();
    }

    /**
     * A remover of the models {@code models} names, run as {@code settings} says, storing into
     * {@code blobs}. The remover owns {@code blobs} once opened: {@link #close} closes it, and so
     * does a failed open.
     */
    public static Builder builder(ModelOptions models, RemoverSettings settings, BlobStore blobs) {
        return new Builder(models, settings, blobs);
    }

    /** The optional parts of a remover; {@link #open()} starts it. */
    public static final class Builder {
        private final ModelOptions models;
        private final RemoverSettings settings;
        private final BlobStore blobs;
        private String name = "0";
        private ExecutionDevice device = ExecutionDevice.CPU;
        private Listener listener = Listener.NONE;
        private ResultIndex index;
        private ReuseSettings reuseSettings = ReuseSettings.OFF;
        private BlobSealer sealer = BlobSealer.OFF;

        private Builder(ModelOptions models, RemoverSettings settings, BlobStore blobs) {
            this.models = models;
            this.settings = settings;
            this.blobs = blobs;
        }

        /** Names the threads (the Flink function passes its subtask index). */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder device(ExecutionDevice device) {
            this.device = device;
            return this;
        }

        public Builder listener(Listener listener) {
            this.listener = listener;
            return this;
        }

        /**
         * Serves identical earlier results from {@code index} (the remover closes it) as {@code
         * reuseSettings} say; without this call nothing is reused.
         */
        public Builder reuse(ResultIndex index, ReuseSettings reuseSettings) {
            this.index = index;
            this.reuseSettings = reuseSettings;
            return this;
        }

        /**
         * Stores the blobs of sensitive jobs (and of every job under {@code security.encrypt-all})
         * sealed by {@code sealer}; without this call a sensitive job fails as {@code STORAGE}.
         */
        public Builder sealing(BlobSealer sealer) {
            this.sealer = requireNonNull(sealer, "sealer cannot be null");
            return this;
        }

        /** Starts the pools and loads the default model on the device. */
        public BackgroundRemover open() {
            BackgroundRemover remover =
                    new BackgroundRemover(
                            name, device, settings, blobs, listener, index, reuseSettings, sealer);
            try {
                remover.lanes =
                        new ModelLanes(
                                name,
                                device,
                                models,
                                settings,
                                remover.cpuPool,
                                listener::modelCall);
            } catch (RuntimeException e) {
                try {
                    remover.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
            return remover;
        }
    }

    private static ResultReuse.Listener reuseListener(Listener listener) {
        return new ResultReuse.Listener() {
            @Override
            public void hit() {
                listener.resultCacheHit();
            }

            @Override
            public void miss() {
                listener.resultCacheMiss();
            }

            @Override
            public void unavailable() {
                listener.resultIndexUnavailable();
            }

            @Override
            public void stale() {
                listener.resultCacheStale();
            }
        };
    }

    /**
     * Starts work on {@code event}. Never blocks and never throws: whatever happens to the image
     * ends in the job's {@link RemovalJob#result()}.
     */
    public RemovalJob submit(ImageEvent event) {
        long startedAt = System.currentTimeMillis();
        RemovalJob job = new RemovalJob(event);
        JobInFlight inFlight = job.inFlight();
        stages.run(event, lanes.laneFor(event), startedAt, inFlight)
                .whenComplete(
                        (result, error) -> {
                            if (inFlight.cancellation().isCancelled()) {
                                return; // timeOut() has answered for this job
                            }
                            if (error == null) {
                                job.result().complete(result);
                            } else if (JobFailures.failsTheTask(error)) {
                                job.result().completeExceptionally(JobFailures.cause(error));
                            } else {
                                if (JobFailures.cause(error) instanceof NonFiniteOutputException) {
                                    listener.nonFiniteOutput();
                                }
                                job.result()
                                        .complete(
                                                JobFailures.failedResult(
                                                        event,
                                                        error,
                                                        inFlight.decoded(),
                                                        System.currentTimeMillis()));
                            }
                        });
        return job;
    }

    /** Images handed to the models that are not yet in a running batch. */
    public int queued() {
        return lanes.queued();
    }

    /** The profiles with an open session. */
    public List<String> loadedModels() {
        return lanes.loaded();
    }

    /** The default model's session. */
    public SegmentationModel defaultModel() {
        return lanes.defaultModel();
    }

    /** Milliseconds {@link #open} took to load the default model. */
    public long modelLoadMs() {
        return lanes.defaultLoadMs();
    }

    /** The budget for decoded images in flight. */
    public MemoryBudget memoryBudget() {
        return memoryBudget;
    }

    public ExecutionDevice device() {
        return device;
    }

    /**
     * Fails what has not started, waits for running batches, closes every session, the pools and
     * the blob store.
     */
    @Override
    public void close() throws Exception {
        // The lanes first: they fail what has not run and wait for running batches, so no model
        // call outlives its session and no image its pools.
        if (lanes != null) {
            lanes.close();
        }
        shutdown(cpuPool);
        shutdown(postprocessPool);
        reuse.close();
        blobs.close();
    }

    private static void shutdown(ExecutorService executor) throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(30, TimeUnit.SECONDS);
    }
}
