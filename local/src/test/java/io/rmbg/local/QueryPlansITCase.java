package io.rmbg.local;

import io.rmbg.service.CursorCodec;
import io.rmbg.service.HistoryFilter;
import io.rmbg.service.JobQueries;
import io.rmbg.service.TokenAuth;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every query shape of the results service is served by the schema's indexes: EXPLAIN on a table of
 * 60 000 jobs (300 users, 60 000 tags, 3 000 tokens, 3 000 days of statistics) after ANALYZE, with
 * the planner's default settings. The plans are written to target/query-plans.txt
 * (docs/results-service.md quotes them).
 */
class QueryPlansITCase {
    @TempDir static Path dir;
    private static LocalPostgres pg;
    private static Connection c;
    private static final OffsetDateTime NOW = OffsetDateTime.now(ZoneOffset.UTC);
    private static final StringBuilder REPORT = new StringBuilder();

    /** idx_jobs_user_created as each partition names its copy of it. */
    private static final String USER_CREATED = "image_process_jobs_\\w+_user_id_created_at_idx";

    @BeforeAll
    static void populate() throws Exception {
        pg = LocalPostgres.start(dir.resolve("pg"), 0, "rmbg", "rmbg", LocalStack.schemaSql());
        c = DriverManager.getConnection(pg.jdbcUrl(), "rmbg", "rmbg");
        try (Statement s = c.createStatement()) {
            s.execute(
                    "INSERT INTO image_process_jobs (job_id, user_id, original_path, processed_path,"
                            + " status, created_at, completed_at, processing_time_ms, params)"
                            + " SELECT md5(i::text)::uuid, 'user' || (i % 300),"
                            + " 's3://rmbg/original/' || md5(i::text) || '.jpg',"
                            + " 's3://rmbg/processed/' || md5(i::text) || '.png',"
                            + " CASE WHEN i % 23 = 0 THEN 'failed' WHEN i % 97 = 0 THEN 'processing'"
                            + " ELSE 'completed' END,"
                            + " now() - make_interval(secs => i * 60), now() - make_interval(secs => i * 60 - 1), 100,"
                            + " jsonb_build_object('threshold', (i % 50) / 50.0, 'model', 'm' || (i % 3))"
                            + " FROM generate_series(1, 60000) i");
            // As the sink writes them: each job's id beside its row; rows of months without a
            // partition yet move from DEFAULT into their month's, as a maintenance run does.
            s.execute(
                    "INSERT INTO jobs_ids SELECT job_id, user_id, created_at"
                            + " FROM image_process_jobs");
            s.execute("SELECT rmbg_create_partitions(3)");
            s.execute(
                    "INSERT INTO tags (name) SELECT 'tag-' || substr(md5(i::text), 1, 10)"
                            + " FROM generate_series(1, 60000) i");
            s.execute("INSERT INTO tags (name) VALUES ('portrait'), ('landscape')");
            s.execute(
                    "INSERT INTO image_tags (job_id, tag_id) SELECT md5(i::text)::uuid,"
                            + " 1 + (i % 60002) FROM generate_series(1, 60000) i");
            s.execute(
                    "INSERT INTO processing_stats (stat_date, total_jobs, completed_jobs, failed_jobs,"
                            + " avg_processing_time_ms, error_rate) SELECT current_date - i, 10, 9, 1,"
                            + " 100, 10 FROM generate_series(0, 2999) i");
            s.execute(
                    "INSERT INTO processing_error_stats (stat_date, error_code, failed_jobs)"
                            + " SELECT current_date - i, 'IMAGE_DECODE', 1 FROM generate_series(0, 2999) i");
            s.execute(
                    "INSERT INTO users (user_id) SELECT 'user' || i FROM generate_series(0, 2999) i");
            s.execute(
                    "INSERT INTO api_tokens (token_sha256, user_id) SELECT"
                            + " md5(i::text) || md5((i + 1)::text), 'user' || i"
                            + " FROM generate_series(0, 2999) i");
            s.execute("ANALYZE");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        Path out = Path.of("target", "query-plans.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, REPORT.toString());
        if (c != null) {
            c.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    private static HistoryFilter filter(
            String user, String status, String tag, String tagLike, String params) {
        return new HistoryFilter(user, status, null, null, tag, tagLike, params, 24);
    }

    /** Plans a history query and checks it; returns the plan. */
    private static String history(String name, HistoryFilter f, CursorCodec.Position after)
            throws Exception {
        JobQueries.Statement st = JobQueries.historyStatement(f, after);
        return explain(name, st.sql(), st.args());
    }

    private static String explain(String name, String sql, List<Object> args) throws Exception {
        StringBuilder plan = new StringBuilder();
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + sql)) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
        }
        REPORT.append("## ")
                .append(name)
                .append("\n\n")
                .append(sql)
                .append("\n\n")
                .append(plan)
                .append('\n');
        String p = plan.toString();
        assertThat(p).as(name + ":\n" + p).containsPattern("Index (Only )?Scan|Bitmap Index Scan");
        // The month partitions ahead are empty: reading an empty table whole costs nothing, so the
        // planner rightly scans those; a partition with rows is never scanned whole.
        Matcher seq = Pattern.compile("Seq Scan on (image_process_jobs\\w*)").matcher(p);
        while (seq.find()) {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM " + seq.group(1))) {
                rs.next();
                assertThat(rs.getLong(1))
                        .as(name + ": rows in " + seq.group(1) + ":\n" + p)
                        .isZero();
            }
        }
        assertThat(p)
                .as(name + ":\n" + p)
                .doesNotContain("Seq Scan on jobs_ids")
                .doesNotContain("Seq Scan on image_tags")
                .doesNotContain("Seq Scan on tags")
                .doesNotContain("Seq Scan on processing_stats")
                .doesNotContain("Seq Scan on processing_error_stats");
        return p;
    }

    private static String columnOf(String sql) throws Exception {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String explainAnalyze(String sql, List<Object> args) throws Exception {
        StringBuilder plan = new StringBuilder();
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, COSTS OFF) " + sql)) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
        }
        return plan.toString();
    }

    @Test
    void aJobAndItsTagsByKey() throws Exception {
        UUID id = UUID.nameUUIDFromBytes(new byte[] {1});
        assertThat(explain("job by id", JobQueries.JOB_SQL, List.of(id, id)))
                .contains("jobs_ids_pkey")
                .containsPattern(
                        "Index Scan using image_process_jobs_\\d{4}_\\d{2}_(pkey|created_at_idx)");
        // Executed, it reads one partition: the one jobs_ids' created_at names.
        UUID stored = UUID.fromString(columnOf("SELECT min(job_id::text) FROM jobs_ids"));
        String analyzed = explainAnalyze(JobQueries.JOB_SQL, List.of(stored, stored));
        assertThat(analyzed)
                .as(analyzed)
                .containsPattern(
                        "Index Scan using image_process_jobs_\\d{4}_\\d{2}_(pkey|created_at_idx)"
                                + ".*actual"
                                + " time=[0-9.]+\\.\\.[0-9.]+ rows=1 ")
                .contains("(never executed)");
        Array ids = c.createArrayOf("uuid", new Object[] {id, UUID.randomUUID()});
        explain("tags of a page of jobs", JobQueries.TAGS_SQL, List.of(ids));
        assertThat(explain("token", TokenAuth.SQL, List.of("0".repeat(64))))
                .contains("api_tokens_pkey");
    }

    @Test
    void historyPagesUseTheUserTimeIndex() throws Exception {
        assertThat(history("history: first page", filter("user7", null, null, null, null), null))
                .containsPattern(USER_CREATED);
        CursorCodec.Position after = new CursorCodec.Position(NOW.minusDays(20), UUID.randomUUID());
        assertThat(
                        history(
                                "history: after a cursor",
                                filter("user7", null, null, null, null),
                                after))
                .containsPattern(USER_CREATED);
        history("history: status", filter("user7", "failed", null, null, null), null);
        HistoryFilter range =
                new HistoryFilter(
                        "user7", null, NOW.minusDays(10), NOW.minusDays(5), null, null, null, 24);
        assertThat(history("history: time range", range, null)).containsPattern(USER_CREATED);
        history("history: admin, every user", filter(null, null, null, null, null), after);
    }

    @Test
    void tagsAndParamsUseTheirIndexes() throws Exception {
        assertThat(
                        history(
                                "history: exact tag",
                                filter("user7", null, "portrait", null, null),
                                null))
                .contains("tags_name_key");
        assertThat(
                        history(
                                "history: fuzzy tag",
                                filter("user7", null, null, "portrat", null),
                                null))
                .contains("idx_tags_name_trgm");
        history(
                "history: params containment",
                filter("user7", null, null, null, "{\"threshold\": 0.9}"),
                null);
        assertThat(
                        history(
                                "history: params containment, every user",
                                filter(
                                        null,
                                        null,
                                        null,
                                        null,
                                        "{\"threshold\": 0.9, \"model\": \"m2\"}"),
                                null))
                .containsPattern("image_process_jobs_\\w+_(params_idx|created_at_idx)");
    }

    @Test
    void statisticsByDate() throws Exception {
        LocalDate to = LocalDate.now(ZoneOffset.UTC);
        List<Object> range = List.of(to.minusDays(29), to);
        assertThat(explain("stats: days", JobQueries.DAYS_SQL, range))
                .contains("processing_stats_pkey");
        assertThat(explain("stats: error codes", JobQueries.ERRORS_SQL, range))
                .contains("processing_error_stats_pkey");
        List<Object> daily = new ArrayList<>(List.of("user7", NOW.minusDays(30), NOW.plusDays(1)));
        assertThat(explain("a user's daily counts", JobQueries.DAILY_SQL, daily))
                .containsPattern(USER_CREATED);
    }
}
