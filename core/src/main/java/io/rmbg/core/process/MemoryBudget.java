package io.rmbg.core.process;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.image.DecodeCost;
import io.rmbg.core.image.ImageInfo;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A slot's budget of heap for decoded images in flight, so that many large images arriving together
 * wait their turn instead of exhausting the heap. An image is admitted by its estimated {@link
 * #decodeCost} <i>before</i> it is decoded (the header tells its size) and holds its {@link Lease}
 * until its job ends.
 *
 * <p>Admission is first come, first served: a large image at the head of the queue is not overtaken
 * by smaller ones (it would starve). Waiting never blocks a thread: {@link #acquire} returns a
 * future that completes when the bytes are free. Cancelling that future (the job timed out) leaves
 * the queue. Thread-safe.
 *
 * <pre>{@code
 * budget.acquire(MemoryBudget.decodeCost(info))
 *         .thenApplyAsync(lease -> decode(bytes), cpuPool) // ... lease.close() when the job ends
 * }</pre>
 */
public final class MemoryBudget {
    /** The setting that sizes the budget, named in failures so users know what to raise. */
    public static final String SETTING = "inference.memory-budget-mb";

    /**
     * Heap bytes per pixel while an image is decoded and processed: the decoder's raster (up to 4
     * bytes per pixel) plus our ARGB {@code int[]} (4). Conservative on purpose.
     */
    static final long BYTES_PER_PIXEL = 8;

    private final long capacity;
    private final Deque<Waiter> waiters = new ArrayDeque<>();
    private long available;
    private long peakInUse;

    /** A budget of {@code bytes}. */
    public MemoryBudget(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("a memory budget must be positive: " + bytes);
        }
        this.capacity = bytes;
        this.available = bytes;
    }

    /**
     * What decoding and processing the image {@code info} describes costs, in heap bytes: the
     * decoder's peak for its format ({@link DecodeCost}: a progressive JPEG needs far more than a
     * streamed 16-bit PNG), and at least what the job holds per pixel while it runs.
     */
    public static long decodeCost(ImageInfo info) {
        return Math.max(DecodeCost.peakBytes(info), info.pixels() * BYTES_PER_PIXEL);
    }

    /**
     * Reserves {@code bytes}: the future completes with a lease once they are free (at once if they
     * are now and nobody waits before). Cancel the future to give up waiting.
     *
     * @throws ProcessingException {@code IMAGE_TOO_LARGE} if {@code bytes} exceed the whole budget
     */
    public CompletableFuture<Lease> acquire(long bytes) throws ProcessingException {
        if (bytes > capacity) {
            throw new ProcessingException(
                    ErrorCode.IMAGE_TOO_LARGE,
                    "decoding this image needs about "
                            + mib(bytes)
                            + " MiB of heap, more than the slot's whole budget of "
                            + mib(capacity)
                            + " MiB; raise "
                            + SETTING
                            + " (and the TaskManager heap) or lower image.max-pixels");
        }
        Waiter waiter = new Waiter(Math.max(0, bytes));
        synchronized (this) {
            waiters.add(waiter);
        }
        waiter.future.whenComplete(
                (lease, error) -> {
                    if (error != null) { // cancelled while waiting
                        synchronized (this) {
                            waiters.remove(waiter);
                        }
                        grant();
                    }
                });
        grant();
        return waiter.future;
    }

    /** Bytes not leased now. */
    public synchronized long available() {
        return available;
    }

    /** Acquisitions waiting for bytes. */
    public synchronized int waiting() {
        return waiters.size();
    }

    public long capacity() {
        return capacity;
    }

    /** The most bytes leased at once so far. */
    public synchronized long peakInUse() {
        return peakInUse;
    }

    /** Hands free bytes to the waiters at the head of the queue, in order. */
    private void grant() {
        List<Waiter> granted = new ArrayList<>();
        synchronized (this) {
            while (!waiters.isEmpty() && waiters.peek().bytes <= available) {
                Waiter next = waiters.poll();
                available -= next.bytes;
                peakInUse = Math.max(peakInUse, capacity - available);
                granted.add(next);
            }
        }
        // Completed outside the lock: completing runs the waiter's continuations.
        for (Waiter waiter : granted) {
            Lease lease = new Lease(waiter.bytes);
            if (!waiter.future.complete(lease)) {
                lease.close(); // cancelled meanwhile
            }
        }
    }

    private void release(long bytes) {
        synchronized (this) {
            available += bytes;
        }
        grant();
    }

    private static long mib(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }

    private static final class Waiter {
        final long bytes;
        final CompletableFuture<Lease> future = new CompletableFuture<>();

        Waiter(long bytes) {
            this.bytes = bytes;
        }
    }

    /** Bytes held by one job; closing returns them. Idempotent. */
    public final class Lease implements AutoCloseable {
        private final long bytes;
        private final AtomicBoolean released = new AtomicBoolean();

        private Lease(long bytes) {
            this.bytes = bytes;
        }

        public long bytes() {
            return bytes;
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                release(bytes);
            }
        }
    }
}
