package io.rmbg.job;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.async.AsyncFunction;

import io.rmbg.core.blob.BlobStoreFactory;
import io.rmbg.core.event.ParseOutcome;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.JobResult;
import io.rmbg.core.records.SourceRecord;
import io.rmbg.core.reuse.ResultIndexFactory;
import io.rmbg.job.config.JdbcSettings;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.job.config.StatsSettings;
import io.rmbg.job.functions.BackgroundRemovalFunction;
import io.rmbg.job.functions.ClaimJobIds;
import io.rmbg.job.functions.FirstResultPerJob;
import io.rmbg.job.functions.OffloadLargeDeadLetters;
import io.rmbg.job.functions.ParseImageEventFunction;
import io.rmbg.job.functions.RedactSensitiveDeadLetters;
import io.rmbg.job.stats.DailyStatistics;
import io.rmbg.job.stats.DailyStats;
import io.rmbg.job.stats.DayActivity;
import io.rmbg.job.stats.JobOutcome;
import io.rmbg.job.stats.ReconcileDays;
import io.rmbg.job.stats.SplitErrorCodes;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * The topology, read top to bottom: raw events → parse and validate → claim job ids per user →
 * remove backgrounds (async, one model session per slot) → first result per job → rows, traces,
 * daily statistics; unusable records and job-id conflicts → dead letters (large ones via S3).
 * Sources and sinks come from outside ({@link RmbgJob#main} wires Kafka and PostgreSQL; tests wire
 * what they need), so every harness runs this one topology.
 */
public final class RmbgPipeline {
    private final Source<SourceRecord, ?, ?> events;
    private final PipelineSinks sinks;
    private Function<PipelineConfig, AsyncFunction<ImageEvent, JobResult>> backgroundRemoval =
            RmbgPipeline::backgroundRemoval;

    public RmbgPipeline(Source<SourceRecord, ?, ?> events, PipelineSinks sinks) {
        this.events = requireNonNull(events, "events source cannot be null");
        this.sinks = requireNonNull(sinks, "sinks cannot be null");
    }

    /**
     * Replaces the background-removal function, for harnesses that decorate it (failure injection);
     * production always uses {@link BackgroundRemovalFunction}.
     */
    public RmbgPipeline withBackgroundRemoval(
            Function<PipelineConfig, AsyncFunction<ImageEvent, JobResult>> factory) {
        this.backgroundRemoval = requireNonNull(factory, "factory cannot be null");
        return this;
    }

    /**
     * The production function: the model of {@code config} on each slot, results written to its S3,
     * sources read with {@code s3.source.*} (the same client when those are blank).
     */
    public static BackgroundRemovalFunction backgroundRemoval(PipelineConfig config) {
        return backgroundRemoval(config, blobStores(config));
    }

    /**
     * The job's S3 stores (sources and results), riding out outages within {@code
     * storage.retry-budget-ms}.
     */
    public static BlobStoreFactory blobStores(PipelineConfig config) {
        return BlobStoreFactory.s3(config.s3(), config.sourceS3(), config.storage().retryBudget());
    }

    public static BackgroundRemovalFunction backgroundRemoval(
            PipelineConfig config, BlobStoreFactory blobs) {
        BackgroundRemovalFunction function =
                new BackgroundRemovalFunction(blobs, config.model(), config.removerSettings())
                        .withSealing(config.sealer());
        // Under security.encrypt-all every blob is sealed per user: nothing is shared.
        if (!config.reuse().enabled() || config.sealer().sealsAll()) {
            return function;
        }
        JdbcSettings jdbc = config.jdbc();
        return function.withReuse(
                ResultIndexFactory.jdbc(jdbc.url(), jdbc.user(), jdbc.password()), config.reuse());
    }

    public void build(StreamExecutionEnvironment env, PipelineConfig config) {
        DataStream<SourceRecord> raw =
                env.fromSource(
                                events,
                                WatermarkStrategy.<SourceRecord>forBoundedOutOfOrderness(
                                                Duration.ofMinutes(1))
                                        .withIdleness(Duration.ofSeconds(30)),
                                "Image events")
                        .uid("image-events-source");

        SingleOutputStreamOperator<ParseOutcome.Named> parsed =
                raw.process(
                                new ParseImageEventFunction(
                                        config.imageLimits(),
                                        config.sourcePolicy(),
                                        config.sealer()))
                        .name("Parse and validate events")
                        .uid("parse-events");

        SingleOutputStreamOperator<ImageEvent> claimed =
                parsed.keyBy(ClaimJobIds::jobId)
                        .process(new ClaimJobIds(config.state().dedupRetention()))
                        .name("Claim job ids per user")
                        .uid("claim-job-ids");

        DataStream<JobResult> processed =
                AsyncDataStream.unorderedWait(
                                claimed,
                                backgroundRemoval.apply(config),
                                config.inference().timeoutMs(),
                                TimeUnit.MILLISECONDS,
                                config.inference().capacity())
                        .name("Remove background (ONNX)")
                        .uid("remove-background");

        DataStream<JobResult> results =
                processed
                        .union(claimed.getSideOutput(ClaimJobIds.REJECTED))
                        .keyBy(JobResult::jobId)
                        .process(new FirstResultPerJob(config.state().dedupRetention()))
                        .name("First result per job")
                        .uid("first-result-per-job");

        results.sinkTo(sinks.rows()).name("Job rows (PostgreSQL)").uid("job-rows-sink");
        results.sinkTo(sinks.traces()).name("Job traces (image-results)").uid("job-traces-sink");
        parsed.getSideOutput(ParseImageEventFunction.DEAD_LETTERS)
                .union(claimed.getSideOutput(ClaimJobIds.CONFLICTS))
                .map(new RedactSensitiveDeadLetters(config.sealer().sealsAll()))
                .name("Redact sensitive dead letters")
                .uid("dead-letters-redact")
                .map(
                        new OffloadLargeDeadLetters(
                                blobStores(config), config.kafka().deadLetterMaxValueBytes()))
                .name("Large dead letters to S3")
                .uid("dead-letters-offload")
                .sinkTo(sinks.deadLetters())
                .name("Dead letters (image-events-dlq)")
                .uid("dead-letters-sink");

        DailyStatistics.Days days =
                dailyStatistics(config.stats())
                        .apply(
                                results.map(outcomeOf(config.stats().maxClockSkew()))
                                        .name("Job outcomes")
                                        .uid("job-outcomes"));
        SingleOutputStreamOperator<DailyStats> daily =
                days.daily()
                        .map(DayActivity::of)
                        .name("Days changed")
                        .uid("stats-days-changed")
                        .union(days.lateJobs())
                        .keyBy(activity -> ReconcileDays.KEY, Types.INT)
                        .process(reconcileDays(config.stats()))
                        .name("Windows or rows: who writes each day")
                        .uid("stats-reconcile-days");
        daily.sinkTo(sinks.dailyStats())
                .name("Daily stats (processing_stats)")
                .uid("daily-stats-sink");
        daily.flatMap(new SplitErrorCodes())
                .name("Failures per error code")
                .uid("error-codes")
                .sinkTo(sinks.errorStats())
                .name("Error stats (processing_error_stats)")
                .uid("error-stats-sink");
        daily.getSideOutput(ReconcileDays.RECOMPUTE)
                .sinkTo(sinks.recomputedDays())
                .name("Days recomputed from the rows (processing_stats)")
                .uid("stats-reconcile-sink");
    }

    private static MapFunction<JobResult, JobOutcome> outcomeOf(Duration maxClockSkew) {
        return result -> JobOutcome.of(result, maxClockSkew);
    }

    private static ReconcileDays reconcileDays(StatsSettings stats) {
        return new ReconcileDays(
                stats.timeZone(),
                stats.reconcileQuiet(),
                stats.reconcileMaxWait(),
                stats.reconcileAfterRestore());
    }

    private static DailyStatistics dailyStatistics(StatsSettings stats) {
        return new DailyStatistics(
                stats.timeZone(),
                stats.shards(),
                stats.updateInterval(),
                stats.allowedLateness(),
                stats.outOfOrderness(),
                stats.quietPeriod());
    }
}
