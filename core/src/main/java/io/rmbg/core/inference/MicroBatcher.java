package io.rmbg.core.inference;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.inference.BatchQueue.Assignment;
import io.rmbg.core.inference.BatchQueue.Pending;
import io.rmbg.core.inference.BatchQueue.Slot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * Feeds one model thread with batches: items gather in a batch until it holds {@code maxBatchSize}
 * or, while the model is idle, its first item has waited {@code maxWait}; then the batch runs in
 * one call and each item's future completes on its own.
 *
 * <p>Items are staged (e.g. resized and normalised) straight into a <i>batch buffer</i>, at the
 * index the batcher assigns, by the thread that submits them, so the model thread only runs the
 * model. There are {@code buffers} of them (two by default): while one batch runs, the next one
 * fills, so preparing batch <i>k + 1</i> overlaps inference of batch <i>k</i>. When every buffer is
 * taken an item is parked, without blocking its caller, and staged later on the staging executor.
 *
 * <pre>{@code
 * MicroBatcher<Image, Mask> batcher = MicroBatcher.<Image, Mask>builder("rmbg-inference-0")
 *         .maxBatchSize(4).maxWait(Duration.ofMillis(10))
 *         .stager((image, buffer, index) -> preprocessor.pack(image, inputs[buffer], index))
 *         .runner(batch -> { ... batch.complete(i, mask) ... })
 *         .stagingExecutor(cpuPool)
 *         .start();
 * CompletableFuture<Mask> mask = batcher.submit(image); // from a CPU thread: stages here
 * }</pre>
 *
 * <p>Failures stay with their items: a failed staging fails its item only; a runner that throws
 * fails the items of its batch it had not completed, with its {@link ProcessingException} or, for
 * anything else, {@link ErrorCode#INFERENCE}; items the runner leaves open fail as {@code
 * INFERENCE}; an {@link Error} (out of memory) is passed on as it is, never turned into an item's
 * failure code. {@link #close} fails every item that has not started and waits for the running
 * batch, so the model can be closed after it.
 *
 * <p>Cancelling an item's future withdraws it: a parked item leaves the queue, an item not yet
 * staged is not staged, and a batch whose items are all withdrawn does not run. (An item already
 * staged into a batch that runs keeps its place; its output is dropped.) Thread-safe.
 *
 * <p>The batches' state lives in {@link BatchQueue}; this class stages items and runs the model
 * thread.
 *
 * @param <I> what is submitted
 * @param <O> what each item's future completes with
 */
public final class MicroBatcher<I, O> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MicroBatcher.class);

    /** Writes one item into its place of a batch buffer. Runs on a submitting or staging thread. */
    @FunctionalInterface
    public interface Stager<I> {
        void stage(I item, int buffer, int index) throws Exception;
    }

    /** Runs one batch on the model thread; completes (or fails) its items by index. */
    @FunctionalInterface
    public interface Runner<I, O> {
        void run(MicroBatch<I, O> batch) throws Exception;
    }

    private final String name;
    private final int maxBatchSize;
    private final long maxWaitNanos;
    private final long closeTimeoutMillis;
    private final Stager<I> stager;
    private final Runner<I, O> runner;
    private final Executor stagingExecutor;
    private final BatchQueue<I, O> queue;
    private final Thread thread;

    MicroBatcher(MicroBatcherBuilder<I, O> b) {
        this.name = b.name;
        this.maxBatchSize = b.maxBatchSize;
        this.maxWaitNanos = b.maxWait.toNanos();
        this.closeTimeoutMillis = b.closeTimeout.toMillis();
        this.stager = requireNonNull(b.stager, "stager cannot be null");
        this.runner = requireNonNull(b.runner, "runner cannot be null");
        this.stagingExecutor = requireNonNull(b.stagingExecutor, "stagingExecutor cannot be null");
        this.queue = new BatchQueue<>(b.buffers, maxBatchSize, maxWaitNanos);
        this.thread = new Thread(this::runLoop, name);
        this.thread.setDaemon(true);
    }

    public static <I, O> MicroBatcherBuilder<I, O> builder(String threadName) {
        return new MicroBatcherBuilder<>(threadName);
    }

    void startThread() {
        thread.start();
    }

    /**
     * Queues {@code item} for the model. If a batch buffer has room the item is staged right here,
     * on the calling thread (so call this from a CPU thread, never a Flink task thread); otherwise
     * it is parked and staged later on the staging executor. Never blocks on the model.
     *
     * @return completes with the runner's output for this item, or exceptionally with a {@link
     *     ProcessingException} (staging failed, the batch failed, or the batcher closed first)
     */
    public CompletableFuture<O> submit(I item) {
        Pending<I, O> pending = new Pending<>(item);
        Assignment<I, O> assignment = queue.offer(pending);
        if (assignment != null) {
            stage(assignment);
        } else if (!pending.future.isDone()) {
            // A parked item whose future is cancelled (its job timed out) leaves the queue at once.
            pending.future.whenComplete(
                    (output, error) -> {
                        if (error != null) {
                            queue.unpark(pending);
                        }
                    });
        }
        return pending.future;
    }

    /** Items submitted and not yet handed to the model: staging, staged, or parked. */
    public int queued() {
        return queue.queued();
    }

    /** The largest batch this batcher forms. */
    public int maxBatchSize() {
        return maxBatchSize;
    }

    /**
     * Fails every item that has not started with {@link ErrorCode#INFERENCE} and waits (up to the
     * builder's close timeout) for the running batch to finish. Idempotent.
     */
    @Override
    public void close() throws InterruptedException {
        List<Pending<I, O>> abandoned = queue.close();
        ProcessingException error = BatchQueue.closedError();
        abandoned.forEach(p -> p.future.completeExceptionally(error));
        if (thread.isAlive() && Thread.currentThread() != thread) {
            thread.join(closeTimeoutMillis);
            if (thread.isAlive()) {
                LOG.warn(
                        "{}: the running batch did not finish within {} ms of close()",
                        name,
                        closeTimeoutMillis);
            }
        }
    }

    /** Whether the model thread has ended (after {@link #close}). */
    public boolean isTerminated() {
        return !thread.isAlive();
    }

    // --- staging (submitting and staging threads) ------------------------------------------------

    private void stage(Assignment<I, O> a) {
        try {
            if (!a.pending().future.isDone()) { // withdrawn: its place stays empty
                stager.stage(a.pending().item, a.slot().buffer, a.index());
            }
        } catch (Throwable e) {
            a.pending()
                    .future
                    .completeExceptionally(
                            e instanceof ProcessingException || e instanceof Error
                                    ? e
                                    : new ProcessingException(
                                            ErrorCode.INFERENCE,
                                            "preparing the model input failed: "
                                                    + e.getClass().getSimpleName()
                                                    + ": "
                                                    + e.getMessage(),
                                            e));
        }
        queue.staged(a.slot());
    }

    private void stageLater(Assignment<I, O> a) {
        try {
            stagingExecutor.execute(() -> stage(a));
        } catch (RejectedExecutionException e) {
            a.pending()
                    .future
                    .completeExceptionally(
                            new ProcessingException(
                                    ErrorCode.INFERENCE,
                                    "no thread to prepare the model input (shutting down)",
                                    e));
            queue.staged(a.slot());
        }
    }

    // --- the model thread ------------------------------------------------------------------------

    private void runLoop() {
        while (true) {
            Slot<I, O> slot;
            try {
                slot = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (slot == null) {
                return;
            }
            if (!slot.allDone()) { // a batch whose items are all withdrawn does not run
                runBatch(slot);
            }
            queue.release(slot).forEach(this::stageLater);
        }
    }

    private void runBatch(Slot<I, O> slot) {
        MicroBatch<I, O> batch = new MicroBatch<>(slot.buffer, List.copyOf(slot.items));
        try {
            runner.run(batch);
        } catch (Throwable e) {
            Throwable error =
                    e instanceof ProcessingException || e instanceof Error
                            ? e
                            : new ProcessingException(
                                    ErrorCode.INFERENCE,
                                    "inference of a batch of "
                                            + batch.size()
                                            + " failed: "
                                            + e.getClass().getSimpleName()
                                            + ": "
                                            + e.getMessage(),
                                    e);
            if (!(e instanceof ProcessingException)) {
                LOG.warn("{}: a batch of {} failed unexpectedly", name, batch.size(), e);
            }
            for (int i = 0; i < batch.size(); i++) {
                batch.fail(i, error);
            }
        }
        for (int i = 0; i < batch.size(); i++) {
            if (!batch.isDone(i)) {
                batch.fail(
                        i,
                        new ProcessingException(
                                ErrorCode.INFERENCE,
                                "the model produced no result for this image"));
            }
        }
    }

    @Override
    public String toString() {
        return "MicroBatcher{"
                + name
                + ", maxBatchSize="
                + maxBatchSize
                + ", maxWait="
                + TimeUnit.NANOSECONDS.toMillis(maxWaitNanos)
                + " ms, buffers="
                + queue.buffers()
                + "}";
    }
}
