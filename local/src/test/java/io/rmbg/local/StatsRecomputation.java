package io.rmbg.local;

/**
 * The recomputation of the daily statistics from {@code image_process_jobs} (README "Daily
 * statistics"): a job's day is that of {@code created_at}, capped at {@code completed_at} plus the
 * allowed clock skew ({@code stats.max-clock-skew-ms}, 5 min by default), in UTC.
 */
final class StatsRecomputation {
    static final String DAY =
            "date(LEAST(created_at, completed_at + interval '300 seconds') AT TIME ZONE 'UTC')";

    /** Per day: date, total, completed, failed, average completed time, error rate. */
    static final String DAILY =
            "SELECT "
                    + DAY
                    + ", count(*),"
                    + " count(*) FILTER (WHERE status = 'completed'), count(*) FILTER (WHERE status = 'failed'),"
                    + " round(avg(processing_time_ms) FILTER (WHERE status = 'completed'), 2),"
                    + " round(count(*) FILTER (WHERE status = 'failed') * 100.0 / count(*), 2)"
                    + " FROM image_process_jobs WHERE status IN ('completed', 'failed') GROUP BY 1 ORDER BY 1";

    static final String DAILY_STATS =
            "SELECT stat_date, total_jobs, completed_jobs, failed_jobs,"
                    + " avg_processing_time_ms, error_rate FROM processing_stats ORDER BY 1";

    /** Per day and error code: failed jobs. */
    static final String ERRORS =
            "SELECT "
                    + DAY
                    + ", error_code, count(*)"
                    + " FROM image_process_jobs WHERE status = 'failed' GROUP BY 1, 2 ORDER BY 1, 2";

    static final String ERROR_STATS =
            "SELECT stat_date, error_code, failed_jobs FROM processing_error_stats ORDER BY 1, 2";

    /** {@code query}'s rows, each as one text, in order: for comparing whole rows. */
    static String asText(String query) {
        return "SELECT t::text FROM (" + query + ") t ORDER BY 1";
    }

    private StatsRecomputation() {}
}
