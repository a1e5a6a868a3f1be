package io.rmbg.core.inference;

import io.rmbg.core.inference.BatchQueue.Pending;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One batch of a {@link MicroBatcher} as its runner sees it: its buffer, its items in index order,
 * their completions.
 *
 * @param <I> what was submitted
 * @param <O> what each item's future completes with
 */
public final class MicroBatch<I, O> {
    private final int buffer;
    private final List<Pending<I, O>> pending;
    private final List<I> items;

    MicroBatch(int buffer, List<Pending<I, O>> pending) {
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
     * Whether item {@code index} is already completed or failed, e.g. because its staging failed:
     * its place in the buffer then holds no valid input.
     */
    public boolean isDone(int index) {
        return pending.get(index).future.isDone();
    }
}
