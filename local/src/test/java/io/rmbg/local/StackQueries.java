package io.rmbg.local;

import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the ITCases ask the embedded stack's PostgreSQL, and the statistics invariant they await.
 */
final class StackQueries {
    private final LocalStack stack;
    private final PipelineConfig config;

    StackQueries(LocalStack stack) {
        this.stack = stack;
        this.config = stack.config();
    }

    /** Every row of {@code sql}, each column as text. */
    List<List<String>> rows(String sql) throws Exception {
        try (Connection c =
                        DriverManager.getConnection(
                                stack.jdbcUrl(),
                                config.get(ConfigKeys.JDBC_USER),
                                config.get(ConfigKeys.JDBC_PASSWORD));
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

    /**
     * Waits until {@code processing_stats} and {@code processing_error_stats} equal their
     * recomputation from {@code image_process_jobs} in every column (README "Daily statistics"),
     * failing with the difference after {@code timeout}.
     */
    void awaitStatsEqualRecomputation(Duration timeout) throws Exception {
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
                return;
            }
            if (System.nanoTime() > deadline) {
                assertThat(got).as("processing_stats").isEqualTo(want);
                assertThat(gotErrors).as("processing_error_stats").isEqualTo(wantErrors);
            }
            Thread.sleep(500);
        }
    }
}
