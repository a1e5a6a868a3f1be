package io.rmbg.core.process;

import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.inference.SegmentationModel;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.JobResult;
import io.rmbg.core.records.StageTimings;
import io.rmbg.core.reuse.ResultReuse;
import io.rmbg.core.reuse.ReusableResult;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One job's way through a slot, as a chain of futures that never blocks a thread:
 *
 * <ol>
 *   <li>CPU pool: read the source and probe its header; an identical earlier result ({@link
 *       ResultReuse}) ends the job here;
 *   <li>wait (without a thread) until the slot's {@link MemoryBudget} admits the decode;
 *   <li>CPU pool: decode, store the original, preprocess into the model's batch;
 *   <li>model thread: run the batch;
 *   <li>postprocess pool: mask, cut-out, PNGs, store.
 * </ol>
 *
 * The job's {@link Cancellation} withdraws it from whatever it waits for (the budget queue, the
 * model queue) and makes every later stage skip; its lease on the budget is returned when the chain
 * ends, however it ends.
 */
final class JobStages {
    private final JobProcessor processor;
    private final MemoryBudget budget;
    private final Executor cpuPool;
    private final Executor postprocessPool;
    private final ResultReuse reuse;

    JobStages(
            JobProcessor processor,
            MemoryBudget budget,
            Executor cpuPool,
            Executor postprocessPool,
            ResultReuse reuse) {
        this.processor = processor;
        this.budget = budget;
        this.cpuPool = cpuPool;
        this.postprocessPool = postprocessPool;
        this.reuse = reuse;
    }

    /**
     * Runs {@code event} on the model of {@code lane}; completes with the result or the failure.
     */
    CompletableFuture<JobResult> run(
            ImageEvent event, CompletableFuture<ModelLane> lane, long startedAt, JobInFlight job) {
        Cancellation cancellation = job.cancellation();
        AtomicReference<MemoryBudget.Lease> held = new AtomicReference<>();
        // Fetch and submit share pool tasks, so preprocessing (done by submit) never lands on the
        // task thread, as a thenCompose on an already completed future would.
        return lane.thenComposeAsync(
                        model -> {
                            FetchedImage fetched =
                                    unchecked(() -> processor.fetch(event, cancellation));
                            SegmentationModel segmenter = model.model();
                            String reuseKey =
                                    reuse.keyForDigest(
                                            fetched.sha256(),
                                            segmenter.profile().name(),
                                            segmenter.modelVersion(),
                                            event.params());
                            if (reuseKey != null) {
                                Optional<ReusableResult> earlier = reuse.find(reuseKey);
                                if (earlier.isPresent()) {
                                    return CompletableFuture.completedFuture(
                                            reused(earlier.get(), fetched, startedAt));
                                }
                            }
                            CompletableFuture<MemoryBudget.Lease> admitted =
                                    unchecked(
                                            () ->
                                                    budget.acquire(
                                                            MemoryBudget.decodeCost(
                                                                    fetched.info())));
                            cancellation.onCancel(() -> admitted.cancel(false));
                            return admitted.thenComposeAsync(
                                            lease -> {
                                                held.set(lease);
                                                DecodedImage decoded =
                                                        unchecked(
                                                                () ->
                                                                        processor.decode(
                                                                                fetched,
                                                                                startedAt,
                                                                                cancellation));
                                                job.decoded(decoded);
                                                CompletableFuture<SegmentedImage> segmented =
                                                        model.submit(decoded);
                                                cancellation.onCancel(
                                                        () -> segmented.cancel(false));
                                                return segmented;
                                            },
                                            cpuPool)
                                    .thenApplyAsync(
                                            segmented ->
                                                    unchecked(
                                                            () ->
                                                                    processor.finish(
                                                                            model.activate(
                                                                                    segmented),
                                                                            cancellation)),
                                            postprocessPool)
                                    .thenApply(
                                            result -> {
                                                if (reuseKey != null) {
                                                    reuse.remember(reuseKey, result);
                                                }
                                                return result;
                                            });
                        },
                        cpuPool)
                .whenComplete(
                        (result, error) -> {
                            MemoryBudget.Lease lease = held.get();
                            if (lease != null) {
                                lease.close();
                            }
                        });
    }

    /** The job answered with an earlier job's blobs: only the fetch ran. */
    private static JobResult reused(ReusableResult earlier, FetchedImage fetched, long startedAt) {
        ImageEvent event = fetched.event();
        StageTimings timings =
                new StageTimings(
                        Math.max(0, startedAt - event.receivedAtMillis()),
                        fetched.fetchMs(),
                        0,
                        0,
                        0,
                        0,
                        0);
        return earlier.answer(event, System.currentTimeMillis(), timings);
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
