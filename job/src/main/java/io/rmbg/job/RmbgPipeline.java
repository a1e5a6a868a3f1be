package io.rmbg.job;

import static java.util.Objects.requireNonNull;

import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.udf.blob.BlobStoreFactory;
import io.rmbg.udf.functions.BackgroundRemovalFunction;
import io.rmbg.udf.functions.ParseImageEventFunction;
import io.rmbg.udf.records.DeadLetter;
import io.rmbg.udf.records.ImageEvent;
import io.rmbg.udf.records.JobResult;
import io.rmbg.udf.records.SourceRecord;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The topology, read top to bottom: raw events → parse and validate → remove backgrounds (async,
 * one model session per slot) → rows, traces and dead letters. Sources and sinks come from outside
 * ({@link RmbgJob#main} wires Kafka and PostgreSQL; tests wire what they need), so every harness
 * runs this one topology.
 */
public final class RmbgPipeline {
    private final Source<SourceRecord, ?, ?> events;
    private final Sink<JobResult> rows;
    private final Sink<JobResult> traces;
    private final Sink<DeadLetter> deadLetters;

    public RmbgPipeline(
            Source<SourceRecord, ?, ?> events,
            Sink<JobResult> rows,
            Sink<JobResult> traces,
            Sink<DeadLetter> deadLetters) {
        this.events = requireNonNull(events, "events source cannot be null");
        this.rows = requireNonNull(rows, "rows sink cannot be null");
        this.traces = requireNonNull(traces, "traces sink cannot be null");
        this.deadLetters = requireNonNull(deadLetters, "dead-letter sink cannot be null");
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

        SingleOutputStreamOperator<ImageEvent> parsed =
                raw.process(new ParseImageEventFunction(config.imageLimits()))
                        .name("Parse and validate events")
                        .uid("parse-events");

        DataStream<JobResult> processed =
                AsyncDataStream.unorderedWait(
                                parsed,
                                new BackgroundRemovalFunction(
                                        BlobStoreFactory.s3(config.s3()),
                                        config.imageLimits(),
                                        config.model(),
                                        config.getInt(ConfigKeys.INFERENCE_CPU_THREADS)),
                                config.getLong(ConfigKeys.INFERENCE_TIMEOUT_MS),
                                TimeUnit.MILLISECONDS,
                                config.getInt(ConfigKeys.INFERENCE_CAPACITY))
                        .name("Remove background (ONNX)")
                        .uid("remove-background");

        DataStream<JobResult> results =
                processed.union(parsed.getSideOutput(ParseImageEventFunction.REJECTED));

        results.sinkTo(rows).name("Job rows (PostgreSQL)").uid("job-rows-sink");
        results.sinkTo(traces).name("Job traces (image-results)").uid("job-traces-sink");
        parsed.getSideOutput(ParseImageEventFunction.DEAD_LETTERS)
                .sinkTo(deadLetters)
                .name("Dead letters (image-events-dlq)")
                .uid("dead-letters-sink");
    }
}
