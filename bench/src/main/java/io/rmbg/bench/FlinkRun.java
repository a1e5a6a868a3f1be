package io.rmbg.bench;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import io.rmbg.core.process.ModelOptions;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.JobResult;
import io.rmbg.core.records.StageTimings;
import io.rmbg.job.functions.BackgroundRemovalFunction;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The real {@link BackgroundRemovalFunction} in the real async operator on a local MiniCluster
 * (parallelism 1: one slot, one model session, the same cores as the bare loop): a bounded source
 * of events naming in-memory sources, the operator, a counting map and a discarding sink.
 * Throughput is measured between the {@code warmUp}-th result and the last, so start-up and model
 * loading do not count. The operator's timeout is {@code --timeout-ms}, as {@code
 * inference.timeout-ms} in the job; {@link InFlight} tracks what is inside it.
 */
final class FlinkRun {
    /** What one run measured. */
    record Result(
            int images,
            int completed,
            int failed,
            double imagesPerSecond,
            ProcessMeter.Sample warm,
            ProcessMeter.Sample rssBase,
            ProcessMeter.Sample end,
            double[] meanStageMs) {
        int measured(int warmUp) {
            return images - warmUp;
        }
    }

    private FlinkRun() {}

    static Result run(
            List<String> sourceUris,
            ModelOptions model,
            BenchOptions options,
            int images,
            int batchSize)
            throws Exception {
        return run(sourceUris, model, options, images, batchSize, seen -> {});
    }

    /**
     * @param afterResult called with the number of results so far after each one, on the task
     *     thread (the soak samples memory there); it holds up the pipeline while it runs
     */
    static Result run(
            List<String> sourceUris,
            ModelOptions model,
            BenchOptions options,
            int images,
            int batchSize,
            LongConsumer afterResult)
            throws Exception {
        return run(sourceUris, model, options, images, batchSize, 1, afterResult);
    }

    /**
     * As {@link #run(List, ModelOptions, BenchOptions, int, int, LongConsumer)} with {@code
     * parallelism} slots, each with its own model session (the real model's CPU setting: slots ×
     * intra-op threads).
     */
    static Result run(
            List<String> sourceUris,
            ModelOptions model,
            BenchOptions options,
            int images,
            int batchSize,
            int parallelism,
            LongConsumer afterResult)
            throws Exception {
        int warmUp = warmUp(images, batchSize);
        Probe.reset(images, warmUp, Math.max(warmUp, images / 4), afterResult);
        InFlight.reset();

        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_PORT, "0");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        env.getConfig().enableObjectReuse();

        DataStream<ImageEvent> events =
                env.fromSequence(0, images - 1)
                        .map(new ToEvent(sourceUris.toArray(String[]::new)))
                        .returns(ImageEvent.class)
                        .name("Image events");
        BackgroundRemovalFunction function = Functions.backgroundRemoval(model, options, batchSize);
        AsyncDataStream.unorderedWait(
                        events,
                        function,
                        options.timeoutMs(),
                        TimeUnit.MILLISECONDS,
                        options.capacity())
                .name("Remove background (ONNX)")
                .map(new Probe())
                .name("Count results")
                .sinkTo(new DiscardingSink<>())
                .name("Discard");
        env.execute("rmbg bench");

        double seconds = (Probe.end.nanoTime() - Probe.warm.nanoTime()) / 1e9;
        double[] stageMs = new double[7];
        for (int i = 0; i < stageMs.length; i++) {
            stageMs[i] = Probe.stageSums[i].get() / (double) Math.max(1, Probe.completed.get());
        }
        return new Result(
                images,
                (int) Probe.completed.get(),
                (int) Probe.failed.get(),
                (images - warmUp) / seconds,
                Probe.warm,
                Probe.rssBase,
                Probe.end,
                stageMs);
    }

    static int warmUp(int images, int batchSize) {
        return Math.max(1, Math.min(images / 4, Math.max(2 * batchSize, 8)));
    }

    /** Sequence number → event naming one of the in-memory JPEGs ({@link BenchEvents}). */
    private static final class ToEvent implements MapFunction<Long, ImageEvent> {
        private static final long serialVersionUID = 1L;
        private final String[] uris;

        ToEvent(String[] uris) {
            this.uris = uris;
        }

        @Override
        public ImageEvent map(Long i) {
            return BenchEvents.event(i, List.of(uris));
        }
    }

    /**
     * Counts results, marks them out of flight, and samples the process at the warm-up mark, at a
     * quarter (the RSS baseline) and at the last result. Static because the MiniCluster runs in
     * this JVM and the function is serialised on its way there.
     */
    static final class Probe implements MapFunction<JobResult, JobResult> {
        private static final long serialVersionUID = 1L;
        static final AtomicLong seen = new AtomicLong();
        static final AtomicLong completed = new AtomicLong();
        static final AtomicLong failed = new AtomicLong();
        static final AtomicLong[] stageSums = new AtomicLong[7];
        static volatile String firstFailure;
        static volatile long total;
        static volatile long warmAt;
        static volatile long rssAt;
        static volatile ProcessMeter.Sample warm;
        static volatile ProcessMeter.Sample rssBase;
        static volatile ProcessMeter.Sample end;
        static volatile LongConsumer afterResult;

        static void reset(long images, long warmUp, long rssBaseline, LongConsumer listener) {
            seen.set(0);
            completed.set(0);
            failed.set(0);
            for (int i = 0; i < stageSums.length; i++) {
                stageSums[i] = new AtomicLong();
            }
            firstFailure = null;
            total = images;
            warmAt = warmUp;
            rssAt = rssBaseline;
            warm = null;
            rssBase = null;
            end = null;
            afterResult = listener;
        }

        @Override
        public JobResult map(JobResult result) {
            InFlight.finished(result.jobId());
            if (result.isCompleted()) {
                completed.incrementAndGet();
                StageTimings t = result.timings();
                long[] v = {
                    t.queue(),
                    t.fetch(),
                    t.decode(),
                    t.inference(),
                    t.postprocess(),
                    t.encode(),
                    t.store()
                };
                for (int i = 0; i < v.length; i++) {
                    stageSums[i].addAndGet(v[i]);
                }
            } else {
                failed.incrementAndGet();
                if (firstFailure == null) {
                    firstFailure = result.errorCode() + ": " + result.errorMessage();
                }
            }
            long n = seen.incrementAndGet();
            if (n == warmAt) {
                warm = ProcessMeter.sample(Functions::isInferenceThread);
            }
            if (n == rssAt) {
                rssBase = ProcessMeter.sample(Functions::isInferenceThread);
            }
            if (n == total) {
                end = ProcessMeter.sample(Functions::isInferenceThread);
            }
            afterResult.accept(n);
            return result;
        }
    }
}
