package io.rmbg.job.functions;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

import io.rmbg.core.process.BackgroundRemover;
import io.rmbg.core.records.JobResult;

/**
 * The metrics of {@link BackgroundRemovalFunction} (docs/contracts.md §7): counters of images
 * received, completed and failed, latency and batch-size histograms, and the gauges of the slot's
 * remover. Counters are thread-safe: the remover's pool threads update them concurrently.
 */
final class RemovalMetrics implements BackgroundRemover.Listener {
    private static final int HISTOGRAM_WINDOW = 1024;

    private final MetricGroup group;
    private final Counter received;
    private final Counter completed;
    private final Counter failed;
    private final Counter nonFiniteOutputs;
    private final Counter resultCacheHits;
    private final Counter resultCacheMisses;
    private final Counter resultIndexUnavailable;
    private final Counter resultCacheStale;
    private final Histogram inferenceLatency;
    private final Histogram inferenceBatchSize;
    private final Histogram endToEndLatency;

    RemovalMetrics(MetricGroup group) {
        this.group = group;
        received = group.counter("imagesReceived", new ThreadSafeSimpleCounter());
        completed = group.counter("imagesCompleted", new ThreadSafeSimpleCounter());
        failed = group.counter("imagesFailed", new ThreadSafeSimpleCounter());
        nonFiniteOutputs = group.counter("nonFiniteOutputs", new ThreadSafeSimpleCounter());
        resultCacheHits = group.counter("resultCacheHits", new ThreadSafeSimpleCounter());
        resultCacheMisses = group.counter("resultCacheMisses", new ThreadSafeSimpleCounter());
        resultIndexUnavailable =
                group.counter("resultIndexUnavailable", new ThreadSafeSimpleCounter());
        resultCacheStale = group.counter("resultCacheStale", new ThreadSafeSimpleCounter());
        inferenceLatency = group.histogram("inferenceLatencyMs", newHistogram());
        inferenceBatchSize = group.histogram("inferenceBatchSize", newHistogram());
        endToEndLatency = group.histogram("endToEndLatencyMs", newHistogram());
    }

    /** The gauges that read the remover: its model load time and its model queues. */
    void watch(BackgroundRemover remover) {
        long loadMs = remover.modelLoadMs();
        group.gauge("modelLoadMs", () -> loadMs);
        group.gauge("inferenceQueueDepth", remover::queued);
    }

    void received() {
        received.inc();
    }

    void finished(JobResult result) {
        (result.isCompleted() ? completed : failed).inc();
        endToEndLatency.update(result.processingTimeMs());
    }

    @Override
    public void modelCall(int images, long millis) {
        inferenceLatency.update(millis);
        inferenceBatchSize.update(images);
    }

    @Override
    public void nonFiniteOutput() {
        nonFiniteOutputs.inc();
    }

    @Override
    public void resultCacheHit() {
        resultCacheHits.inc();
    }

    @Override
    public void resultCacheMiss() {
        resultCacheMisses.inc();
    }

    @Override
    public void resultIndexUnavailable() {
        resultIndexUnavailable.inc();
    }

    @Override
    public void resultCacheStale() {
        resultCacheStale.inc();
    }

    long resultCacheHits() {
        return resultCacheHits.getCount();
    }

    long largestBatch() {
        return inferenceBatchSize.getStatistics().getMax();
    }

    long nonFiniteOutputs() {
        return nonFiniteOutputs.getCount();
    }

    private static Histogram newHistogram() {
        return new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW);
    }
}
