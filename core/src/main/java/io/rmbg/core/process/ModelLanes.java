package io.rmbg.core.process;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.inference.ExecutionDevice;
import io.rmbg.core.inference.ModelProfile;
import io.rmbg.core.inference.SegmentationModel;
import io.rmbg.core.records.ImageEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The {@link ModelLane}s of one slot: the default model's, opened with the slot, and one for each
 * additional model ({@code model.additional}), loaded on a loader thread the first time an event
 * asks for it in {@code params.model} and kept until {@link #close}.
 */
final class ModelLanes implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelLanes.class);

    private final String name;
    private final ExecutionDevice device;
    private final ModelOptions models;
    private final RemoverSettings settings;
    private final Executor staging;
    private final ModelLane.CallListener listener;
    private final ExecutorService loader;
    private final Map<String, CompletableFuture<ModelLane>> lanes = new ConcurrentHashMap<>();
    private final ModelLane defaultLane;
    private final long defaultLoadMs;

    /**
     * Loads the default model; a failure to load it is the caller's (the slot cannot start).
     *
     * @param staging the pool that preprocesses images that had to wait for a free batch buffer
     */
    ModelLanes(
            String name,
            ExecutionDevice device,
            ModelOptions models,
            RemoverSettings settings,
            Executor staging,
            ModelLane.CallListener listener) {
        this.name = name;
        this.device = device;
        this.models = models;
        this.settings = settings;
        this.staging = staging;
        this.listener = listener;
        long start = System.nanoTime();
        defaultLane = open(models.profile(), models.path());
        defaultLoadMs = (System.nanoTime() - start) / 1_000_000;
        lanes.put(
                defaultLane.model().profile().name(),
                CompletableFuture.completedFuture(defaultLane));
        loader =
                Executors.newSingleThreadExecutor(DaemonThreads.named("rmbg-model-loader-" + name));
    }

    /**
     * The lane of the model {@code params.model} names, the default one without it. Events asking
     * for an additional model while it loads wait for that one load. A model that fails to load
     * fails every event asking for it, with the reason, until the slot is reopened.
     */
    CompletableFuture<ModelLane> laneFor(ImageEvent event) {
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
        Optional<String> path = models.pathOf(profile.name());
        if (path.isEmpty()) {
            return CompletableFuture.failedFuture(
                    new ProcessingException(
                            ErrorCode.INVALID_EVENT,
                            "params.model '"
                                    + requested
                                    + "' is not served by this job; it serves "
                                    + models.servedProfiles()
                                    + " (add more with model.additional)"));
        }
        return lanes.computeIfAbsent(
                profile.name(),
                profileName ->
                        CompletableFuture.supplyAsync(
                                () -> openAdditional(profileName, path.get()), loader));
    }

    /** Loads a model and starts its lane. */
    private ModelLane open(String profileName, String path) {
        long start = System.nanoTime();
        SegmentationModel model =
                SegmentationModel.load(
                        Path.of(path),
                        ModelProfile.named(profileName),
                        device,
                        models.intraOpThreads(),
                        models.gpu());
        LOG.info(
                "Remover {} loaded model {} ({}, version {}) on {} in {} ms",
                name,
                path,
                model.profile().name(),
                model.modelVersion(),
                model.executionProvider(),
                (System.nanoTime() - start) / 1_000_000);
        try {
            return new ModelLane(
                    model,
                    "rmbg-inference-" + model.profile().name() + "-" + name,
                    settings.batchSize(),
                    settings.batchTimeoutMs(),
                    staging,
                    listener);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private ModelLane openAdditional(String profileName, String path) {
        try {
            return open(profileName, path);
        } catch (RuntimeException e) {
            LOG.error("Remover {} cannot load model {} for profile {}", name, path, profileName, e);
            throw new CompletionException(
                    new ProcessingException(
                            ErrorCode.INFERENCE,
                            "model '"
                                    + profileName
                                    + "' ("
                                    + path
                                    + ") cannot be loaded: "
                                    + e.getMessage()));
        }
    }

    SegmentationModel defaultModel() {
        return defaultLane.model();
    }

    /** Milliseconds the default model took to load. */
    long defaultLoadMs() {
        return defaultLoadMs;
    }

    /** Images handed to the models that are not yet in a running batch. */
    int queued() {
        int queued = 0;
        for (CompletableFuture<ModelLane> lane : lanes.values()) {
            if (lane.isDone() && !lane.isCompletedExceptionally()) {
                queued += lane.join().queued();
            }
        }
        return queued;
    }

    /** The profiles with an open session. */
    List<String> loaded() {
        List<String> names = new ArrayList<>();
        lanes.forEach(
                (profile, lane) -> {
                    if (lane.isDone() && !lane.isCompletedExceptionally()) {
                        names.add(profile);
                    }
                });
        return names;
    }

    /**
     * Each lane fails what has not run and waits for its running batch before its session closes. A
     * model still loading is not waited for (a TensorRT engine build can outlast Flink's
     * cancellation timeout): its lane closes itself when the load ends.
     */
    @Override
    public void close() throws InterruptedException {
        loader.shutdownNow(); // loads not yet started never start
        for (CompletableFuture<ModelLane> lane : lanes.values()) {
            if (lane.isDone()) {
                if (!lane.isCompletedExceptionally()) {
                    lane.join().close();
                }
            } else {
                lane.thenAccept(ModelLanes::closeLoadedLate);
            }
        }
        lanes.clear();
    }

    private static void closeLoadedLate(ModelLane lane) {
        try {
            lane.close();
            LOG.info(
                    "Closed model {}, which finished loading after its remover closed",
                    lane.model());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
