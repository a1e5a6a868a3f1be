package io.rmbg.job;

import org.apache.flink.api.connector.sink2.Sink;

import io.rmbg.core.records.DeadLetter;
import io.rmbg.core.records.JobResult;
import io.rmbg.job.stats.DailyStats;
import io.rmbg.job.stats.ErrorCount;

import static java.util.Objects.requireNonNull;

/**
 * Where the pipeline's outputs go. {@link RmbgJob#sinks} wires PostgreSQL and Kafka; tests may wire
 * others.
 *
 * @param rows one row per job ({@code image_process_jobs})
 * @param traces one JSON trace per job ({@code image-results})
 * @param deadLetters unusable records ({@code image-events-dlq})
 * @param dailyStats running daily totals ({@code processing_stats})
 * @param errorStats running daily failures per error code ({@code processing_error_stats})
 * @param recomputedDays days (epoch day numbers) whose statistics are recomputed from the rows
 */
public record PipelineSinks(
        Sink<JobResult> rows,
        Sink<JobResult> traces,
        Sink<DeadLetter> deadLetters,
        Sink<DailyStats> dailyStats,
        Sink<ErrorCount> errorStats,
        Sink<Long> recomputedDays) {

    public PipelineSinks {
        requireNonNull(rows, "rows sink cannot be null");
        requireNonNull(traces, "traces sink cannot be null");
        requireNonNull(deadLetters, "dead-letter sink cannot be null");
        requireNonNull(dailyStats, "daily stats sink cannot be null");
        requireNonNull(errorStats, "error stats sink cannot be null");
        requireNonNull(recomputedDays, "recomputed days sink cannot be null");
    }
}
