package io.rmbg.job.sinks;

import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

import io.rmbg.job.stats.CalendarDayWindows;

import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * Recomputes one day of {@code processing_stats} and {@code processing_error_stats} from {@code
 * image_process_jobs}, in one statement: the same aggregate as README's recomputation, so the rows
 * equal it whatever the windows counted. Idempotent; error codes the day no longer has are removed.
 *
 * <p>A job's day is that of {@code LEAST(created_at, completed_at + skew)} in the statistics' zone
 * (see {@link io.rmbg.job.stats.JobOutcome}); the first condition lets PostgreSQL use its indexes
 * on {@code created_at} and {@code completed_at}.
 */
public final class ReconcileDayStatement implements JdbcStatementBuilder<Long> {
    private static final long serialVersionUID = 1L;

    private static final String DAY_TIME =
            "LEAST(created_at, completed_at + make_interval(secs => ?))";

    public static final String SQL =
            "WITH jobs AS ("
                    + " SELECT status, processing_time_ms, error_code FROM image_process_jobs"
                    + " WHERE status IN ('completed', 'failed')"
                    + " AND ((created_at >= ? AND created_at < ?) OR (completed_at >= ? AND completed_at < ?))"
                    + " AND "
                    + DAY_TIME
                    + " >= ? AND "
                    + DAY_TIME
                    + " < ?),"
                    + " day AS ("
                    + " INSERT INTO processing_stats (stat_date, total_jobs, completed_jobs, failed_jobs,"
                    + " avg_processing_time_ms, error_rate, updated_at)"
                    + " SELECT ?, count(*), count(*) FILTER (WHERE status = 'completed'),"
                    + " count(*) FILTER (WHERE status = 'failed'),"
                    + " round(avg(processing_time_ms) FILTER (WHERE status = 'completed'), 2),"
                    + " round(count(*) FILTER (WHERE status = 'failed') * 100.0 / count(*), 2), now()"
                    + " FROM jobs HAVING count(*) > 0"
                    + " ON CONFLICT (stat_date) DO UPDATE SET total_jobs = EXCLUDED.total_jobs,"
                    + " completed_jobs = EXCLUDED.completed_jobs, failed_jobs = EXCLUDED.failed_jobs,"
                    + " avg_processing_time_ms = EXCLUDED.avg_processing_time_ms,"
                    + " error_rate = EXCLUDED.error_rate, updated_at = EXCLUDED.updated_at"
                    + " RETURNING stat_date),"
                    + " gone AS ("
                    + " DELETE FROM processing_error_stats e WHERE e.stat_date = ? AND NOT EXISTS"
                    + " (SELECT 1 FROM jobs j WHERE j.status = 'failed' AND j.error_code = e.error_code))"
                    + " INSERT INTO processing_error_stats (stat_date, error_code, failed_jobs, updated_at)"
                    + " SELECT ?, error_code, count(*), now() FROM jobs WHERE status = 'failed'"
                    + " GROUP BY error_code"
                    + " ON CONFLICT (stat_date, error_code) DO UPDATE SET"
                    + " failed_jobs = EXCLUDED.failed_jobs, updated_at = EXCLUDED.updated_at";

    private final ZoneId zone;
    private final long skewMillis;

    public ReconcileDayStatement(ZoneId zone, Duration maxClockSkew) {
        this.zone = zone;
        this.skewMillis = maxClockSkew.toMillis();
    }

    @Override
    public void accept(PreparedStatement ps, Long epochDay) throws SQLException {
        LocalDate day = LocalDate.ofEpochDay(epochDay);
        TimeWindow window = CalendarDayWindows.windowOf(day, zone);
        double skewSeconds = skewMillis / 1000.0;
        int i = 0;
        ps.setObject(++i, SqlValues.utc(window.getStart()));
        ps.setObject(++i, SqlValues.utc(window.getEnd()));
        ps.setObject(++i, SqlValues.utc(window.getStart() - skewMillis));
        ps.setObject(++i, SqlValues.utc(window.getEnd() - skewMillis));
        ps.setDouble(++i, skewSeconds);
        ps.setObject(++i, SqlValues.utc(window.getStart()));
        ps.setDouble(++i, skewSeconds);
        ps.setObject(++i, SqlValues.utc(window.getEnd()));
        ps.setDate(++i, Date.valueOf(day));
        ps.setDate(++i, Date.valueOf(day));
        ps.setDate(++i, Date.valueOf(day));
    }
}
