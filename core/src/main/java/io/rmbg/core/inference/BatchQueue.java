package io.rmbg.core.inference;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The state behind a {@link MicroBatcher}, under one lock: which batch buffer each item goes to,
 * when a batch is sealed and due, the items parked while every buffer is taken, and the items
 * withdrawn (their future completed early, e.g. cancelled) before they ran.
 *
 * <p>A buffer's batch moves FREE → FILLING (taking items) → SEALED (full, or its first item waited
 * {@code maxWait} while the model was idle) → RUNNING (handed to the model thread once every item
 * is staged) → FREE. At most one batch fills at a time.
 */
final class BatchQueue<I, O> {

    /** One submitted item and its future. */
    static final class Pending<I, O> {
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
    static final class Slot<I, O> {
        final int buffer;
        final List<Pending<I, O>> items = new ArrayList<>();
        State state = State.FREE;
        int staged;
        long openedAtNanos;

        Slot(int buffer) {
            this.buffer = buffer;
        }

        /** Whether every item was withdrawn (or failed staging): the batch need not run. */
        boolean allDone() {
            for (Pending<I, O> p : items) {
                if (!p.future.isDone()) {
                    return false;
                }
            }
            return true;
        }
    }

    /** An item's place: staged into {@code slot}'s buffer at {@code index}. */
    record Assignment<I, O>(Pending<I, O> pending, Slot<I, O> slot, int index) {}

    private final int maxBatchSize;
    private final long maxWaitNanos;
    private final List<Slot<I, O>> slots = new ArrayList<>();
    private final Deque<Slot<I, O>> sealed = new ArrayDeque<>();
    private final Deque<Pending<I, O>> parked = new ArrayDeque<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private Slot<I, O> filling;
    private boolean closed;

    BatchQueue(int buffers, int maxBatchSize, long maxWaitNanos) {
        this.maxBatchSize = maxBatchSize;
        this.maxWaitNanos = maxWaitNanos;
        for (int i = 0; i < buffers; i++) {
            slots.add(new Slot<>(i));
        }
    }

    /** What an item that never ran fails with once the batcher closes. */
    static ProcessingException closedError() {
        return new ProcessingException(
                ErrorCode.INFERENCE,
                "the model shut down before this image ran (the job is stopping or restarting)");
    }

    int buffers() {
        return slots.size();
    }

    /** Items submitted and not yet handed to the model: staging, staged, or parked. */
    int queued() {
        return waiting.get();
    }

    /**
     * Takes {@code pending} in: returns its place in the filling batch, or null if every buffer is
     * taken (it is parked) or the queue is closed (its future has then failed).
     */
    Assignment<I, O> offer(Pending<I, O> pending) {
        lock.lock();
        try {
            if (closed) {
                pending.future.completeExceptionally(closedError());
                return null;
            }
            waiting.incrementAndGet();
            Assignment<I, O> assignment = assign(pending);
            if (assignment == null) {
                parked.add(pending);
            }
            return assignment;
        } finally {
            lock.unlock();
        }
    }

    /** Drops a parked item whose future completed early (withdrawn); no-op if it is not parked. */
    void unpark(Pending<I, O> pending) {
        lock.lock();
        try {
            if (parked.remove(pending)) {
                waiting.decrementAndGet();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Records that one item of {@code slot} is staged (or failed staging). */
    void staged(Slot<I, O> slot) {
        lock.lock();
        try {
            slot.staged++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits for a batch that is due and fully staged, marks it running; null once closed. */
    Slot<I, O> take() throws InterruptedException {
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

    /**
     * Frees {@code slot} after its batch ran and moves parked items into the batch now filling.
     *
     * @return the parked items placed, for the caller to stage
     */
    List<Assignment<I, O>> release(Slot<I, O> slot) {
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
        return assigned;
    }

    /**
     * Closes the queue and wakes the model thread.
     *
     * @return the items that had not started (parked, filling or sealed), for the caller to fail;
     *     empty if already closed
     */
    List<Pending<I, O>> close() {
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
        return abandoned;
    }

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
}
