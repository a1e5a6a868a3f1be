package io.rmbg.core.inference;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

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
        void run(Batch<I, O> batch) throws Exception;
    }

    /** One batch as the runner sees it: its buffer, its items in index order, their completions. */
    public static final class Batch<I, O> {
        private final int buffer;
        private final List<Pending<I, O>> pending;
        private final List<I> items;

        private Batch(int buffer, List<Pending<I, O>> pending) {
            this.buffer = buffer;
            this.pending = pending;
            List<I> list = new ArrayList<>(pending.size());
            pending.forEach(p -> list.add(p.item));
            this.items = Collections.unmodifiableList(list);
        }

        /** Which batch buffer the items were staged into. */
        public int buffer() {
            return buffer;
        }

        /** The items; item {@code i} was staged at index {@code i} of the buffer. */
        public List<I> items() {
            return items;
        }

        public int size() {
            return items.size();
        }

        /** Completes item {@code index}; later completions of it are ignored. */
        public void complete(int index, O output) {
            pending.get(index).future.complete(output);
        }

        /** Fails item {@code index}; later completions of it are ignored. */
        public void fail(int index, Throwable error) {
            pending.get(index).future.completeExceptionally(error);
        }

        /**
         * Whether item {@code index} is already completed or failed, e.g. because its staging
         * failed: its place in the buffer then holds no valid input.
         */
        public boolean isDone(int index) {
            return pending.get(index).future.isDone();
        }
    }

    private static final class Pending<I, O> {
        final I item;
        final CompletableFuture<O> future = new CompletableFuture<>();

        Pending(I item) {
            this.item = item;
        }
    }

    private enum State {
        FREE,
        FILLING,
        SEALED,
        RUNNING
    }

    /** One batch buffer and the items assigned to it. */
    private static final class Slot<I, O> {
        final int buffer;
        final List<Pending<I, O>> items = new ArrayList<>();
        State state = State.FREE;
        int staged;
        long openedAtNanos;

        Slot(int buffer) {
            this.buffer = buffer;
        }
    }

    private record Assignment<I, O>(Pending<I, O> pending, Slot<I, O> slot, int index) {}

    private final String name;
    private final int maxBatchSize;
    private final long maxWaitNanos;
    private final long closeTimeoutMillis;
    private final Stager<I> stager;
    private final Runner<I, O> runner;
    private final Executor stagingExecutor;
    private final List<Slot<I, O>> slots = new ArrayList<>();
    private final Deque<Slot<I, O>> sealed = new ArrayDeque<>();
    private final Deque<Pending<I, O>> parked = new ArrayDeque<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Thread thread;
    private Slot<I, O> filling;
    private boolean closed;

    private MicroBatcher(Builder<I, O> b) {
        this.name = b.name;
        this.maxBatchSize = b.maxBatchSize;
        this.maxWaitNanos = b.maxWait.toNanos();
        this.closeTimeoutMillis = b.closeTimeout.toMillis();
        this.stager = requireNonNull(b.stager, "stager cannot be null");
        this.runner = requireNonNull(b.runner, "runner cannot be null");
        this.stagingExecutor = requireNonNull(b.stagingExecutor, "stagingExecutor cannot be null");
        for (int i = 0; i < b.buffers; i++) {
            slots.add(new Slot<>(i));
        }
        this.thread = new Thread(this::runLoop, name);
        this.thread.setDaemon(true);
    }

    public static <I, O> Builder<I, O> builder(String threadName) {
        return new Builder<>(threadName);
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
        Assignment<I, O> assignment;
        lock.lock();
        try {
            if (closed) {
                pending.future.completeExceptionally(closedError());
                return pending.future;
            }
            waiting.incrementAndGet();
            assignment = assign(pending);
            if (assignment == null) {
                parked.add(pending);
            }
        } finally {
            lock.unlock();
        }
        if (assignment != null) {
            stage(assignment);
        } else {
            // A parked item whose future is cancelled (its job timed out) leaves the queue at once.
            pending.future.whenComplete(
                    (output, error) -> {
                        if (error != null) {
                            unpark(pending);
                        }
                    });
        }
        return pending.future;
    }

    private void unpark(Pending<I, O> pending) {
        lock.lock();
        try {
            if (parked.remove(pending)) {
                waiting.decrementAndGet();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Items submitted and not yet handed to the model: staging, staged, or parked. */
    public int queued() {
        return waiting.get();
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
        List<Pending<I, O>> abandoned = new ArrayList<>();
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                abandoned.addAll(parked);
                parked.clear();
                for (Slot<I, O> slot : slots) {
                    if (slot.state == State.FILLING || slot.state == State.SEALED) {
                        abandoned.addAll(slot.items);
                    }
                }
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        ProcessingException error = closedError();
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

    private static ProcessingException closedError() {
        return new ProcessingException(
                ErrorCode.INFERENCE,
                "the model shut down before this image ran (the job is stopping or restarting)");
    }

    // --- filling batches (under the lock)
    // -----------------------------------------------------------

    /** The item's place: the filling batch, or a free buffer's new batch; null if none is free. */
    private Assignment<I, O> assign(Pending<I, O> pending) {
        if (filling == null) {
            for (Slot<I, O> slot : slots) {
                if (slot.state == State.FREE) {
                    filling = slot;
                    slot.state = State.FILLING;
                    slot.openedAtNanos = System.nanoTime();
                    break;
                }
            }
            if (filling == null) {
                return null;
            }
        }
        Slot<I, O> slot = filling;
        int index = slot.items.size();
        slot.items.add(pending);
        if (slot.items.size() == maxBatchSize) {
            slot.state = State.SEALED;
            sealed.add(slot);
            filling = null;
        }
        changed.signalAll();
        return new Assignment<>(pending, slot, index);
    }

    private void stage(Assignment<I, O> a) {
        try {
            if (!a.pending.future.isDone()) { // withdrawn: its place stays empty
                stager.stage(a.pending.item, a.slot.buffer, a.index);
            }
        } catch (Throwable e) {
            a.pending.future.completeExceptionally(
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
        lock.lock();
        try {
            a.slot.staged++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void stageLater(Assignment<I, O> a) {
        try {
            stagingExecutor.execute(() -> stage(a));
        } catch (RejectedExecutionException e) {
            a.pending.future.completeExceptionally(
                    new ProcessingException(
                            ErrorCode.INFERENCE,
                            "no thread to prepare the model input (shutting down)",
                            e));
            lock.lock();
            try {
                a.slot.staged++;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    // --- the model thread
    // -----------------------------------------------------------------------------

    private void runLoop() {
        while (true) {
            Slot<I, O> slot;
            try {
                slot = nextBatch();
            } catch (InterruptedException e) {
                return;
            }
            if (slot == null) {
                return;
            }
            if (!allWithdrawn(slot)) {
                runBatch(slot);
            }
            release(slot);
        }
    }

    /** Waits for a batch that is due and fully staged, marks it running; null once closed. */
    private Slot<I, O> nextBatch() throws InterruptedException {
        lock.lock();
        try {
            while (!closed) {
                Slot<I, O> next = sealed.peek();
                long waitNanos = Long.MAX_VALUE;
                if (next == null && filling != null) {
                    long due = filling.openedAtNanos + maxWaitNanos - System.nanoTime();
                    if (due <= 0) {
                        next = filling;
                        next.state = State.SEALED;
                        sealed.add(next);
                        filling = null;
                    } else {
                        waitNanos = due;
                    }
                }
                if (next != null && next.staged == next.items.size()) {
                    sealed.remove(next);
                    next.state = State.RUNNING;
                    waiting.addAndGet(-next.items.size());
                    return next;
                }
                if (waitNanos == Long.MAX_VALUE) {
                    changed.await();
                } else {
                    changed.awaitNanos(waitNanos);
                }
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    private static <I, O> boolean allWithdrawn(Slot<I, O> slot) {
        for (Pending<I, O> p : slot.items) {
            if (!p.future.isDone()) {
                return false;
            }
        }
        return true;
    }

    private void runBatch(Slot<I, O> slot) {
        Batch<I, O> batch = new Batch<>(slot.buffer, List.copyOf(slot.items));
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

    /** Frees the slot and moves parked items into the batch now filling. */
    private void release(Slot<I, O> slot) {
        List<Assignment<I, O>> assigned = new ArrayList<>();
        lock.lock();
        try {
            slot.items.clear();
            slot.staged = 0;
            slot.state = State.FREE;
            while (!closed && !parked.isEmpty()) {
                if (parked.peek().future.isDone()) { // withdrawn just now
                    parked.poll();
                    waiting.decrementAndGet();
                    continue;
                }
                Assignment<I, O> a = assign(parked.peek());
                if (a == null) {
                    break;
                }
                parked.poll();
                assigned.add(a);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        assigned.forEach(this::stageLater);
    }

    /** Configures and starts a {@link MicroBatcher}. */
    public static final class Builder<I, O> {
        private final String name;
        private int maxBatchSize = 4;
        private Duration maxWait = Duration.ofMillis(10);
        private int buffers = 2;
        private Duration closeTimeout = Duration.ofSeconds(60);
        private Stager<I> stager;
        private Runner<I, O> runner;
        private Executor stagingExecutor;

        private Builder(String name) {
            this.name = requireNonNull(name, "threadName cannot be null");
        }

        /** Most items per batch (default 4); 1 turns batching off. */
        public Builder<I, O> maxBatchSize(int maxBatchSize) {
            if (maxBatchSize < 1) {
                throw new IllegalArgumentException(
                        "maxBatchSize must be positive: " + maxBatchSize);
            }
            this.maxBatchSize = maxBatchSize;
            return this;
        }

        /**
         * How long a batch's first item waits for company while the model is idle (default 10 ms;
         * zero: run whatever gathered while the model was busy).
         */
        public Builder<I, O> maxWait(Duration maxWait) {
            requireNonNull(maxWait, "maxWait cannot be null");
            if (maxWait.isNegative()) {
                throw new IllegalArgumentException("maxWait cannot be negative: " + maxWait);
            }
            this.maxWait = maxWait;
            return this;
        }

        /** Batch buffers (default 2: one running, one filling); at least 1. */
        public Builder<I, O> buffers(int buffers) {
            if (buffers < 1) {
                throw new IllegalArgumentException("buffers must be positive: " + buffers);
            }
            this.buffers = buffers;
            return this;
        }

        /** How long {@link #close} waits for the running batch (default 60 s). */
        public Builder<I, O> closeTimeout(Duration closeTimeout) {
            this.closeTimeout = requireNonNull(closeTimeout, "closeTimeout cannot be null");
            return this;
        }

        public Builder<I, O> stager(Stager<I> stager) {
            this.stager = stager;
            return this;
        }

        public Builder<I, O> runner(Runner<I, O> runner) {
            this.runner = runner;
            return this;
        }

        /** Where parked items are staged once a buffer frees up (the CPU pool). */
        public Builder<I, O> stagingExecutor(Executor stagingExecutor) {
            this.stagingExecutor = stagingExecutor;
            return this;
        }

        /** Creates the batcher and starts its model thread. */
        public MicroBatcher<I, O> start() {
            MicroBatcher<I, O> batcher = new MicroBatcher<>(this);
            batcher.thread.start();
            return batcher;
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
                + slots.size()
                + "}";
    }
}
