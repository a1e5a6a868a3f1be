package io.rmbg.job.sinks;

import org.apache.flink.connector.jdbc.JdbcStatementBuilder;

import io.rmbg.job.stats.DailyStats;

import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Upserts a day's row of {@code processing_stats}. The averages and rates are computed by
 * PostgreSQL from exact sums, so they round exactly as the same aggregate over {@code
 * image_process_jobs} does. Totals only grow: an older, smaller report (a replay after a restore)
 * never overwrites a newer one.
 */
public final class DailyStatsStatement implements JdbcStatementBuilder<DailyStats> {
    private static final long serialVersionUID = 1L;

    public static final String SQL =
            "INSERT INTO processing_stats (stat_date, total_jobs, completed_jobs, failed_jobs,"
                    + " avg_processing_time_ms, error_rate, updated_at)"
                    + " VALUES (?, ?, ?, ?, round(?::numeric / NULLIF(?, 0), 2),"
                    + " round(?::numeric * 100 / NULLIF(?, 0), 2), ?)"
                    + " ON CONFLICT (stat_date) DO UPDATE SET total_jobs = EXCLUDED.total_jobs,"
                    + " completed_jobs = EXCLUDED.completed_jobs, failed_jobs = EXCLUDED.failed_jobs,"
                    + " avg_processing_time_ms = EXCLUDED.avg_processing_time_ms,"
                    + " error_rate = EXCLUDED.error_rate, updated_at = EXCLUDED.updated_at"
                    + " WHERE processing_stats.total_jobs IS NULL"
                    + " OR processing_stats.total_jobs <= EXCLUDED.total_jobs";

    @Override
    public void accept(PreparedStatement ps, DailyStats s) throws SQLException {
        var c = s.counts();
        ps.setDate(1, Date.valueOf(s.day()));
        ps.setInt(2, (int) c.total());
        ps.setInt(3, (int) c.completed);
        ps.setInt(4, (int) c.failed);
        ps.setLong(5, c.completedMillis);
        ps.setLong(6, c.completed);
        ps.setLong(7, c.failed);
        ps.setLong(8, c.total());
        ps.setObject(9, SqlValues.utc(s.updatedAtMillis()));
    }
}
