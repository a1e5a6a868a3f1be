package io.rmbg.job.sinks;

import org.apache.flink.connector.jdbc.JdbcStatementBuilder;

import io.rmbg.job.stats.ErrorCount;

import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** Upserts one (day, error code) row of {@code processing_error_stats}; counts only grow. */
public final class ErrorStatsStatement implements JdbcStatementBuilder<ErrorCount> {
    private static final long serialVersionUID = 1L;

    public static final String SQL =
            "INSERT INTO processing_error_stats (stat_date, error_code, failed_jobs, updated_at)"
                    + " VALUES (?, ?, ?, ?)"
                    + " ON CONFLICT (stat_date, error_code) DO UPDATE SET"
                    + " failed_jobs = EXCLUDED.failed_jobs, updated_at = EXCLUDED.updated_at"
                    + " WHERE processing_error_stats.failed_jobs <= EXCLUDED.failed_jobs";

    @Override
    public void accept(PreparedStatement ps, ErrorCount e) throws SQLException {
        ps.setDate(1, Date.valueOf(java.time.LocalDate.ofEpochDay(e.epochDay())));
        ps.setString(2, e.errorCode());
        ps.setInt(3, (int) e.failedJobs());
        ps.setObject(4, SqlValues.utc(e.updatedAtMillis()));
    }
}
