package io.rmbg.job.stats;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

import java.util.Map;

/** One {@link ErrorCount} per error code of a day's running totals. */
public final class SplitErrorCodes implements FlatMapFunction<DailyStats, ErrorCount> {
    private static final long serialVersionUID = 1L;

    @Override
    public void flatMap(DailyStats day, Collector<ErrorCount> out) {
        for (Map.Entry<String, Long> e : day.counts().failedByCode.entrySet()) {
            out.collect(
                    new ErrorCount(
                            day.epochDay(), e.getKey(), e.getValue(), day.updatedAtMillis()));
        }
    }
}
