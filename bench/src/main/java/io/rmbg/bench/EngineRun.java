package io.rmbg.bench;

import io.rmbg.core.inference.ExecutionDevice;
import io.rmbg.core.process.BackgroundRemover;
import io.rmbg.core.process.ModelOptions;
import io.rmbg.core.records.JobResult;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The engine without Flink: the {@link BackgroundRemover} that {@code BackgroundRemovalFunction}
 * wraps, with the Flink path's settings ({@link Functions#settings}), blob store and model, fed
 * from this thread with at most {@code --capacity} images in flight (the async operator's
 * capacity). Measured as {@link FlinkRun} is, from the {@code warmUp}-th result to the last, so the
 * two differ only by Flink: source, operator, mailbox, serialisation.
 */
final class EngineRun {
    /** What one run measured. */
    record Result(
            double imagesPerSecond,
            int failed,
            String firstFailure,
            ProcessMeter.Sample warm,
            ProcessMeter.Sample end) {}

    private EngineRun() {}

    static Result run(
            List<String> sourceUris,
            ModelOptions model,
            BenchOptions options,
            int images,
            int batchSize)
            throws Exception {
        Semaphore capacity = new Semaphore(options.capacity());
        CountDownLatch finished = new CountDownLatch(images);
        Tally tally = new Tally(FlinkRun.warmUp(images, batchSize), images);
        try (BackgroundRemover remover =
                BackgroundRemover.open(
                        "bench",
                        ExecutionDevice.parse(model.device()),
                        model,
                        Functions.settings(options, batchSize),
                        new BenchBlobStore())) {
            for (int i = 0; i < images; i++) {
                capacity.acquire();
                remover.submit(BenchEvents.event(i, sourceUris))
                        .result()
                        .whenComplete(
                                (result, error) -> {
                                    try {
                                        tally.add(result, error);
                                    } finally {
                                        capacity.release();
                                        finished.countDown();
                                    }
                                });
            }
            awaitAll(finished, options.timeoutMs());
        }
        return tally.result();
    }

    /** Waits while results keep coming; as the async operator would, gives up after a silence. */
    private static void awaitAll(CountDownLatch finished, long timeoutMs)
            throws InterruptedException {
        long before = finished.getCount();
        while (!finished.await(timeoutMs, TimeUnit.MILLISECONDS)) {
            if (finished.getCount() == before) {
                throw new IllegalStateException(
                        "no result for "
                                + timeoutMs
                                + " ms with "
                                + before
                                + " images left; raise --timeout-ms for a slow model");
            }
            before = finished.getCount();
        }
    }

    /** Counts results (on the remover's threads) and samples the process at the marks. */
    private static final class Tally {
        private final int warmUp;
        private final int images;
        private final AtomicInteger seen = new AtomicInteger();
        private final AtomicInteger failed = new AtomicInteger();
        private final AtomicReference<String> firstFailure = new AtomicReference<>();
        private volatile ProcessMeter.Sample warm;
        private volatile ProcessMeter.Sample end;

        Tally(int warmUp, int images) {
            this.warmUp = warmUp;
            this.images = images;
        }

        void add(JobResult result, Throwable error) {
            if (error != null || !result.isCompleted()) {
                failed.incrementAndGet();
                firstFailure.compareAndSet(
                        null,
                        error != null
                                ? error.toString()
                                : result.errorCode() + ": " + result.errorMessage());
            }
            int n = seen.incrementAndGet();
            if (n == warmUp) {
                warm = ProcessMeter.sample(Functions::isInferenceThread);
            }
            if (n == images) {
                end = ProcessMeter.sample(Functions::isInferenceThread);
            }
        }

        Result result() {
            double seconds = (end.nanoTime() - warm.nanoTime()) / 1e9;
            return new Result(
                    (images - warmUp) / seconds, failed.get(), firstFailure.get(), warm, end);
        }
    }
}
