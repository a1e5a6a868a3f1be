package io.rmbg.local;

import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TimeZone;
import java.util.stream.Stream;

import static io.rmbg.local.SqlFixture.DAY_BEFORE;
import static io.rmbg.local.SqlFixture.TODAY;
import static io.rmbg.local.SqlFixture.YESTERDAY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every recipe in {@code sql/} run by {@link SqlRunner}, the code behind {@code bin/rmbg sql},
 * against a real PostgreSQL and Kafka holding {@link SqlFixture}'s three days of jobs. The expected
 * numbers are worked out by hand in the comments.
 */
class SqlScriptsITCase {
    private static final Path SCRIPTS = Path.of("..", "sql");
    private static final List<String> COVERED =
            List.of(
                    "busiest_users.sql",
                    "errors_by_code.sql",
                    "last_24h.sql",
                    "latency_percentiles.sql",
                    "stats.sql");

    @TempDir static Path dataDir;

    private static TimeZone originalZone;
    private static LocalStack stack;
    private static PipelineConfig config;
    private static SqlFixture fixture;

    @BeforeAll
    static void seed() throws Exception {
        // bin/rmbg runs the JVM in UTC: TIMESTAMPTZ columns read as UTC wall-clock time.
        originalZone = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
        SqlFixture.awaitSafeTime();
        stack = LocalStack.start(LocalStack.Options.ephemeral(dataDir), PipelineConfig.defaults());
        config = stack.config();
        fixture = new SqlFixture();
        fixture.writeRows(config);
        fixture.writeStats(config);
        fixture.sendTraces(config, fixture.job("alice", TODAY, 400));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        TimeZone.setDefault(originalZone);
    }

    @Test
    void everyScriptHasATest() throws Exception {
        try (Stream<Path> files = Files.list(SCRIPTS)) {
            List<String> scripts =
                    files.map(p -> p.getFileName().toString())
                            .filter(n -> n.endsWith(".sql") && !n.equals("schema.sql"))
                            .sorted()
                            .toList();
            assertThat(scripts).as("scripts in sql/ (add a test for a new one)").isEqualTo(COVERED);
        }
    }

    @Test
    void statsListsEachDayNewestFirst() {
        SqlResult r = runOne("stats.sql");
        assertThat(r.columns())
                .containsExactly(
                        "stat_date",
                        "total_jobs",
                        "completed_jobs",
                        "failed_jobs",
                        "error_rate_pct",
                        "avg_processing_time_ms");
        assertThat(r.rows())
                .containsExactly(
                        row(TODAY, 6, 5, 1, dec("16.67"), dec("340.00")),
                        row(YESTERDAY, 5, 2, 3, dec("60.00"), dec("200.00")),
                        row(DAY_BEFORE, 11, 10, 1, dec("9.09"), dec("88.00")));
    }

    @Test
    void errorsByCodeSharesEachDaysJobsAndFailures() {
        SqlResult r = runOne("errors_by_code.sql");
        assertThat(r.columns())
                .containsExactly(
                        "stat_date", "error_code", "failed_jobs", "pct_of_jobs", "pct_of_failures");
        assertThat(r.rows())
                .containsExactly(
                        row(
                                TODAY,
                                "INFERENCE_TIMEOUT",
                                1L,
                                dec("16.67"),
                                dec("100.00")), // 1 of 6 jobs
                        row(
                                YESTERDAY,
                                "IMAGE_DECODE",
                                2L,
                                dec("40.00"),
                                dec("66.67")), // 2 of 5 jobs, 2 of 3 failures
                        row(YESTERDAY, "SOURCE_NOT_FOUND", 1L, dec("20.00"), dec("33.33")),
                        row(
                                DAY_BEFORE,
                                "SOURCE_NOT_FOUND",
                                1L,
                                dec("9.09"),
                                dec("100.00"))); // 1 of 11 jobs
    }

    @Test
    void latencyPercentilesInterpolateLikePostgres() throws Exception {
        SqlResult r = runOne("latency_percentiles.sql");
        assertThat(r.columns())
                .containsExactly("stat_date", "completed_jobs", "p50_ms", "p95_ms", "max_ms");
        assertThat(r.rows())
                .containsExactly(
                        // 90 100 110 400 1000 (400's trace twice, counted once): p50 = 110, p95 at
                        // 3.8 = 400 + 0.8 * 600
                        row(TODAY, 5L, dec("110.0"), dec("880.0"), 1000L),
                        // 150 250: p50 at 0.5 = 200, p95 at 0.95 = 245
                        row(YESTERDAY, 2L, dec("200.0"), dec("245.0"), 250L),
                        // 10 20 … 70 100 200 300: p50 at 4.5 = 55, p95 at 8.55 = 200 + 0.55 * 100
                        row(DAY_BEFORE, 10L, dec("55.0"), dec("255.0"), 300L));

        // The same numbers from PostgreSQL's own percentile_cont over the rows.
        try (Connection c = new StackQueries(config).connect();
                ResultSet rs =
                        c.createStatement()
                                .executeQuery(
                                        "SELECT (created_at AT TIME ZONE 'UTC')::date,"
                                                + " round(percentile_cont(0.5) WITHIN GROUP (ORDER BY processing_time_ms)::numeric, 1),"
                                                + " round(percentile_cont(0.95) WITHIN GROUP (ORDER BY processing_time_ms)::numeric, 1)"
                                                + " FROM image_process_jobs WHERE status = 'completed' GROUP BY 1 ORDER BY 1 DESC")) {
            List<List<Object>> postgres = new ArrayList<>();
            while (rs.next()) {
                postgres.add(
                        row(
                                rs.getObject(1, LocalDate.class),
                                rs.getBigDecimal(2),
                                rs.getBigDecimal(3)));
            }
            assertThat(postgres)
                    .containsExactlyElementsOf(
                            r.rows().stream()
                                    .map(x -> List.of(x.get(0), x.get(2), x.get(3)))
                                    .toList());
        }
    }

    @Test
    void theScriptsPercentileIsTheUdfNotFlinksBuiltIn() throws Exception {
        // Flink 2.x's own PERCENTILE is found before temporary catalog functions; a temporary
        // system function comes first. Only the UDF checks p at run time with this message.
        String register =
                "CREATE TEMPORARY SYSTEM FUNCTION percentile AS 'io.rmbg.udf.sql.Percentile';";
        assertThat(Files.readString(SCRIPTS.resolve("latency_percentiles.sql"))).contains(register);
        SqlRunner runner = new SqlRunner(config, SqlRunner.quiet());
        assertThatThrownBy(
                        () ->
                                runner.run(
                                        register
                                                + "\nSELECT percentile(x, 1.5) FROM (VALUES (1), (2)) AS t(x);"))
                .isInstanceOf(SqlRunException.class)
                .hasMessageContaining("percentile: p must be a fraction between 0 and 1, got 1.5");
    }

    @Test
    void busiestUsersAreTheTopTenByFinishedJobs() {
        SqlResult r = runOne("busiest_users.sql");
        assertThat(r.columns())
                .containsExactly(
                        "user_id",
                        "total_jobs",
                        "failed_jobs",
                        "failure_rate_pct",
                        "avg_processing_time_ms",
                        "last_job_at");
        assertThat(r.rows())
                .containsExactly(
                        // 100 200 150 100 110 400 → 1060 / 6
                        row("alice", 6L, 0L, dec("0.00"), dec("176.67"), last("alice", TODAY, 400)),
                        row(
                                "carol",
                                4L,
                                3L,
                                dec("75.00"),
                                dec("250.00"),
                                last("carol", TODAY, 120_000)),
                        row("bob", 3L, 1L, dec("33.33"), dec("650.00"), last("bob", TODAY, 1000)),
                        // one job each, alphabetically; u6 and u7 miss the cut; frank has no
                        // finished job
                        row("dave", 1L, 1L, dec("100.00"), null, last("dave", YESTERDAY, 5)),
                        row("erin", 1L, 0L, dec("0.00"), dec("90.00"), last("erin", TODAY, 90)),
                        row("u1", 1L, 0L, dec("0.00"), dec("10.00"), last("u1", DAY_BEFORE, 10)),
                        row("u2", 1L, 0L, dec("0.00"), dec("20.00"), last("u2", DAY_BEFORE, 20)),
                        row("u3", 1L, 0L, dec("0.00"), dec("30.00"), last("u3", DAY_BEFORE, 30)),
                        row("u4", 1L, 0L, dec("0.00"), dec("40.00"), last("u4", DAY_BEFORE, 40)),
                        row("u5", 1L, 0L, dec("0.00"), dec("50.00"), last("u5", DAY_BEFORE, 50)));
    }

    @Test
    void last24HoursCountsTodaysJobsOnly() {
        SqlResult r = runOne("last_24h.sql");
        assertThat(r.columns())
                .containsExactly(
                        "total_jobs",
                        "completed_jobs",
                        "failed_jobs",
                        "error_rate_pct",
                        "avg_processing_time_ms",
                        "unfinished_jobs",
                        "first_job_at",
                        "last_job_at");
        assertThat(r.rows())
                .containsExactly(
                        // 90 100 110 400 1000 → 1700 / 5; frank's job is still processing
                        row(
                                6L,
                                5L,
                                1L,
                                dec("16.67"),
                                dec("340.00"),
                                1L,
                                SqlFixture.at(TODAY, 1),
                                SqlFixture.at(TODAY, 7)));
    }

    @Test
    void printsEachQueryAsATable() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new SqlRunner(config, new PrintStream(bytes, true, StandardCharsets.UTF_8))
                .run(SCRIPTS.resolve("stats.sql"));
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(printed)
                .contains(
                        "| stat_date  | total_jobs |",
                        "| " + TODAY + " |          6 |",
                        "3 rows in set");
    }

    @Test
    void anUnreachableServerSaysWhatToDo() {
        PipelineConfig nowhere =
                config.toBuilder()
                        .set(ConfigKeys.JDBC_URL, "jdbc:postgresql://127.0.0.1:1/rmbg")
                        .set(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS, "127.0.0.1:1")
                        .build();
        SqlRunner runner = new SqlRunner(nowhere, SqlRunner.quiet());
        assertThatThrownBy(() -> runner.run(SCRIPTS.resolve("stats.sql")))
                .isInstanceOf(SqlRunException.class)
                .hasMessageContaining(
                        "cannot reach PostgreSQL at jdbc:postgresql://127.0.0.1:1/rmbg")
                .hasMessageContaining("bin/rmbg local");
        assertThatThrownBy(() -> runner.run(SCRIPTS.resolve("latency_percentiles.sql")))
                .isInstanceOf(SqlRunException.class)
                .hasMessageContaining("cannot reach Kafka at 127.0.0.1:1");
    }

    @Test
    void aBadQueryNamesItsLine() {
        SqlRunner runner = new SqlRunner(config, SqlRunner.quiet());
        assertThatThrownBy(
                        () ->
                                runner.run(
                                        "SET 'table.local-time-zone' = 'UTC';\n\nSELECT no_such_column;"))
                .isInstanceOf(SqlRunException.class)
                .hasMessageContaining("line 3")
                .hasMessageContaining("no_such_column");
    }

    private static SqlResult runOne(String script) {
        List<SqlResult> results =
                new SqlRunner(config, SqlRunner.quiet()).run(SCRIPTS.resolve(script));
        assertThat(results).as("queries in " + script).hasSize(1);
        return results.get(0);
    }

    private static LocalDateTime last(String user, LocalDate day, long ms) {
        return SqlFixture.seconds(fixture.job(user, day, ms).createdAt());
    }

    private static List<Object> row(Object... values) {
        return Arrays.asList(values);
    }

    private static BigDecimal dec(String value) {
        return new BigDecimal(value);
    }
}
