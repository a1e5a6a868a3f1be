package io.rmbg.local;

import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the ITCases ask PostgreSQL (the embedded stack's, or a bare {@link LocalPostgres}), the
 * waits on {@code image_process_jobs} they share, and the statistics invariant they await.
 */
final class StackQueries {
    /** Jobs that ended: a row leaves {@code processing} once. */
    static final String TERMINAL = "status IN ('completed', 'failed')";

    private final String jdbcUrl;
    private final String user;
    private final String password;

    StackQueries(String jdbcUrl, String user, String password) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
    }

    StackQueries(PipelineConfig config) {
        this(
                config.get(ConfigKeys.JDBC_URL),
                config.get(ConfigKeys.JDBC_USER),
                config.get(ConfigKeys.JDBC_PASSWORD));
    }

    StackQueries(LocalStack stack) {
        this(stack.config());
    }

    /** The local servers' database with the contract's default account (rmbg/rmbg). */
    static StackQueries of(LocalPostgres postgres) {
        return new StackQueries(postgres.jdbcUrl(), "rmbg", "rmbg");
    }

    Connection connect() throws Exception {
        return DriverManager.getConnection(jdbcUrl, user, password);
    }

    /** Every row of {@code sql}, each column as text. */
    List<List<String>> rows(String sql) throws Exception {
        try (Connection c = connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            List<List<String>> out = new ArrayList<>();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.add(rs.getString(i));
                }
                out.add(row);
            }
            return out;
        }
    }

    /** The first column of every row of {@code sql}, as text. */
    List<String> column(String sql) throws Exception {
        return rows(sql).stream().map(r -> r.get(0)).toList();
    }

    /** The number {@code sql} (a {@code SELECT count(*) …}) answers. */
    long count(String sql) throws Exception {
        return Long.parseLong(column(sql).get(0));
    }

    /**
     * The first column of each row of {@code sql} mapped to its second (which may be null), in
     * order.
     */
    Map<String, String> map(String sql) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        for (List<String> r : rows(sql)) {
            out.put(r.get(0), r.get(1));
        }
        return out;
    }

    void execute(String sql) throws Exception {
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /**
     * The row of job {@code jobId}, column name to value (integers as {@code Integer}, everything
     * else as text), or null when there is none.
     */
    Map<String, Object> jobRow(String jobId) throws Exception {
        try (Connection c = connect();
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT * FROM image_process_jobs WHERE job_id = '"
                                        + jobId
                                        + "'")) {
            if (!rs.next()) {
                return null;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                Object v = rs.getObject(i);
                row.put(
                        rs.getMetaData().getColumnName(i),
                        v == null ? null : v instanceof Integer ? v : v.toString());
            }
            return row;
        }
    }

    /** Waits until {@code sql} (a count) reaches {@code atLeast}, polling every 500 ms. */
    long awaitCount(String sql, long atLeast, Duration timeout) throws Exception {
        return awaitCount(sql, atLeast, timeout, Duration.ofMillis(500));
    }

    long awaitCount(String sql, long atLeast, Duration timeout, Duration every) throws Exception {
        return Poll.until(
                timeout,
                every,
                () -> count(sql),
                n -> n >= atLeast,
                n -> sql + " reached " + n + ", expected " + atLeast + " within " + timeout);
    }

    /** Waits until at least {@code rows} jobs have ended (completed or failed). */
    void awaitTerminalRows(long rows, Duration timeout) throws Exception {
        awaitCount("SELECT count(*) FROM image_process_jobs WHERE " + TERMINAL, rows, timeout);
    }

    /** Waits until every job of {@code jobIds} has ended (completed or failed). */
    void awaitTerminalRows(List<String> jobIds, Duration timeout) throws Exception {
        awaitCount(
                "SELECT count(*) FROM image_process_jobs WHERE "
                        + TERMINAL
                        + " AND job_id IN ("
                        + quoted(jobIds)
                        + ")",
                jobIds.size(),
                timeout,
                Duration.ofMillis(300));
    }

    /** Waits until every job of {@code jobIds} has completed. */
    void awaitCompleted(List<String> jobIds, Duration timeout) throws Exception {
        awaitCount(
                "SELECT count(*) FROM image_process_jobs WHERE status = 'completed' AND job_id IN ("
                        + quoted(jobIds)
                        + ")",
                jobIds.size(),
                timeout,
                Duration.ofMillis(300));
    }

    /**
     * Waits until {@code processing_stats} and {@code processing_error_stats} equal their
     * recomputation from {@code image_process_jobs} in every column (README "Daily statistics"),
     * failing with the difference after {@code timeout}; returns the recomputed daily rows.
     */
    List<List<String>> awaitStatsEqualRecomputation(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<List<String>> want = rows(StatsRecomputation.asText(StatsRecomputation.DAILY));
            List<List<String>> got =
                    rows(StatsRecomputation.asText(StatsRecomputation.DAILY_STATS));
            List<List<String>> wantErrors =
                    rows(StatsRecomputation.asText(StatsRecomputation.ERRORS));
            List<List<String>> gotErrors =
                    rows(StatsRecomputation.asText(StatsRecomputation.ERROR_STATS));
            if (want.equals(got) && wantErrors.equals(gotErrors)) {
                return want;
            }
            if (System.nanoTime() > deadline) {
                assertThat(got).as("processing_stats").isEqualTo(want);
                assertThat(gotErrors).as("processing_error_stats").isEqualTo(wantErrors);
            }
            Thread.sleep(500);
        }
    }

    private static String quoted(List<String> ids) {
        return String.join(",", ids.stream().map(id -> "'" + id + "'").toList());
    }
}
