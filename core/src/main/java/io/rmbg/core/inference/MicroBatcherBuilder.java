package io.rmbg.core.inference;

import java.time.Duration;
import java.util.concurrent.Executor;

import static java.util.Objects.requireNonNull;

/**
 * Configures and starts a {@link MicroBatcher}; obtain one from {@link MicroBatcher#builder}.
 *
 * @param <I> what is submitted
 * @param <O> what each item's future completes with
 */
public final class MicroBatcherBuilder<I, O> {
    final String name;
    int maxBatchSize = 4;
    Duration maxWait = Duration.ofMillis(10);
    int buffers = 2;
    Duration closeTimeout = Duration.ofSeconds(60);
    MicroBatcher.Stager<I> stager;
    MicroBatcher.Runner<I, O> runner;
    Executor stagingExecutor;

    MicroBatcherBuilder(String name) {
        this.name = requireNonNull(name, "threadName cannot be null");
    }

    /** Most items per batch (default 4); 1 turns batching off. */
    public MicroBatcherBuilder<I, O> maxBatchSize(int maxBatchSize) {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be positive: " + maxBatchSize);
        }
        this.maxBatchSize = maxBatchSize;
        return this;
    }

    /**
     * How long a batch's first item waits for company while the model is idle (default 10 ms; zero:
     * run whatever gathered while the model was busy).
     */
    public MicroBatcherBuilder<I, O> maxWait(Duration maxWait) {
        requireNonNull(maxWait, "maxWait cannot be null");
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait cannot be negative: " + maxWait);
        }
        this.maxWait = maxWait;
        return this;
    }

    /** Batch buffers (default 2: one running, one filling); at least 1. */
    public MicroBatcherBuilder<I, O> buffers(int buffers) {
        if (buffers < 1) {
            throw new IllegalArgumentException("buffers must be positive: " + buffers);
        }
        this.buffers = buffers;
        return this;
    }

    /** How long {@link MicroBatcher#close} waits for the running batch (default 60 s). */
    public MicroBatcherBuilder<I, O> closeTimeout(Duration closeTimeout) {
        this.closeTimeout = requireNonNull(closeTimeout, "closeTimeout cannot be null");
        return this;
    }

    public MicroBatcherBuilder<I, O> stager(MicroBatcher.Stager<I> stager) {
        this.stager = stager;
        return this;
    }

    public MicroBatcherBuilder<I, O> runner(MicroBatcher.Runner<I, O> runner) {
        this.runner = runner;
        return this;
    }

    /** Where parked items are staged once a buffer frees up (the CPU pool). */
    public MicroBatcherBuilder<I, O> stagingExecutor(Executor stagingExecutor) {
        this.stagingExecutor = stagingExecutor;
        return this;
    }

    /** Creates the batcher and starts its model thread. */
    public MicroBatcher<I, O> start() {
        MicroBatcher<I, O> batcher = new MicroBatcher<>(this);
        batcher.startThread();
        return batcher;
    }
}
