package io.rmbg.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The service's reads, each shaped for one of the schema's indexes (docs/results-service.md shows
 * their plans; QueryPlansITCase checks them on a populated table):
 *
 * <ul>
 *   <li>a job: {@code jobs_ids}' key, then the primary key {@code (job_id, created_at)} of the one
 *       partition its {@code created_at} names; its tags: {@code image_tags}' key and {@code tags}'
 *       key;
 *   <li>a user's history: {@code idx_jobs_user_created} scanned backwards from the cursor (every
 *       user) or {@code idx_jobs_created_at} (an admin over all users); the keyset condition is
 *       written {@code created_at <= ? AND (created_at < ? OR job_id < ?)} so that its first half
 *       is an index condition; tags through {@code tags}' unique name or its trigram index; params
 *       through the GIN index when the planner finds that cheaper; a {@code created_at} bound (the
 *       cursor, from/to) prunes the month partitions outside it;
 *   <li>statistics: the primary keys of {@code processing_stats} and {@code
 *       processing_error_stats}.
 * </ul>
 */
public final class JobQueries {
    public static final String COLUMNS =
            "j.job_id, j.user_id, j.status, j.original_path, j.mask_path, j.processed_path,"
                    + " j.created_at, j.completed_at, j.processing_time_ms, j.image_width,"
                    + " j.image_height, j.file_size_kb, j.params::text AS params, j.error_code,"
                    + " j.error_message, j.model, j.model_version, j.reused";

    /**
     * By id (bound twice): {@code jobs_ids}' key gives the job's {@code created_at}, which names
     * the one partition to look in. As a sub-query it is known before the scan starts, so the
     * executor prunes every other partition; as a join the planner would probe them all.
     */
    public static final String JOB_SQL =
            "SELECT "
                    + COLUMNS
                    + " FROM image_process_jobs j WHERE j.job_id = ?"
                    + " AND j.created_at = (SELECT i.created_at FROM jobs_ids i WHERE i.job_id = ?)";

    public static final String TAGS_SQL =
            "SELECT it.job_id, t.name FROM image_tags it JOIN tags t ON t.tag_id = it.tag_id"
                    + " WHERE it.job_id = ANY (?) ORDER BY t.name";

    public static final String DAYS_SQL =
            "SELECT stat_date, total_jobs, completed_jobs, failed_jobs, avg_processing_time_ms,"
                    + " error_rate FROM processing_stats WHERE stat_date BETWEEN ? AND ?"
                    + " ORDER BY stat_date";

    public static final String ERRORS_SQL =
            "SELECT stat_date, error_code, failed_jobs FROM processing_error_stats"
                    + " WHERE stat_date BETWEEN ? AND ? ORDER BY stat_date, error_code";

    /** The caller's own jobs per UTC day (the page's chart): {@code idx_jobs_user_created}. */
    public static final String DAILY_SQL =
            "SELECT (created_at AT TIME ZONE 'UTC')::date AS day,"
                    + " count(*) FILTER (WHERE status IN ('completed', 'failed')) AS total,"
                    + " count(*) FILTER (WHERE status = 'failed') AS failed"
                    + " FROM image_process_jobs WHERE user_id = ? AND created_at >= ?"
                    + " AND created_at < ? GROUP BY 1 ORDER BY 1";

    private static final ObjectMapper JSON = new ObjectMapper();

    private JobQueries() {}

    /** One job with its tags, or {@code null}. */
    static ObjectNode job(Connection c, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(JOB_SQL)) {
            ps.setObject(1, id);
            ps.setObject(2, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                ObjectNode job = row(rs);
                attachTags(c, List.of(job));
                return job;
            }
        }
    }

    /** The SQL and its arguments for one page of history: newest first, after {@code after}. */
    public record Statement(String sql, List<Object> args) {}

    public static Statement historyStatement(HistoryFilter f, CursorCodec.Position after) {
        StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS);
        sql.append(" FROM image_process_jobs j WHERE true");
        List<Object> args = new ArrayList<>();
        if (f.user() != null) {
            sql.append(" AND j.user_id = ?");
            args.add(f.user());
        }
        if (f.status() != null) {
            sql.append(" AND j.status = ?");
            args.add(f.status());
        }
        if (f.from() != null) {
            sql.append(" AND j.created_at >= ?");
            args.add(f.from());
        }
        if (f.to() != null) {
            sql.append(" AND j.created_at < ?");
            args.add(f.to());
        }
        if (f.paramsJson() != null) {
            sql.append(" AND j.params @> ?::jsonb");
            args.add(f.paramsJson());
        }
        if (f.tag() != null) {
            sql.append(
                    " AND j.job_id IN (SELECT it.job_id FROM image_tags it"
                            + " JOIN tags t ON t.tag_id = it.tag_id WHERE t.name = ?)");
            args.add(f.tag());
        }
        if (f.tagLike() != null) {
            // % is pg_trgm's similarity operator (pg_trgm.similarity_threshold, default 0.3): the
            // one the trigram GIN index serves.
            sql.append(
                    " AND j.job_id IN (SELECT it.job_id FROM image_tags it"
                            + " JOIN tags t ON t.tag_id = it.tag_id WHERE t.name % ?)");
            args.add(f.tagLike());
        }
        if (after != null) {
            sql.append(" AND j.created_at <= ? AND (j.created_at < ? OR j.job_id < ?)");
            args.add(after.createdAt());
            args.add(after.createdAt());
            args.add(after.jobId());
        }
        sql.append(" ORDER BY j.created_at DESC, j.job_id DESC LIMIT ?");
        args.add(f.limit() + 1); // one more tells whether there is a next page
        return new Statement(sql.toString(), args);
    }

    /** A page: at most {@code f.limit()} rows, and whether more follow. */
    record Page(List<ObjectNode> jobs, boolean more) {}

    static Page history(Connection c, HistoryFilter f, CursorCodec.Position after)
            throws SQLException {
        Statement st = historyStatement(f, after);
        List<ObjectNode> jobs = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(st.sql())) {
            bind(ps, st.args());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    jobs.add(row(rs));
                }
            }
        }
        boolean more = jobs.size() > f.limit();
        if (more) {
            jobs.remove(jobs.size() - 1);
        }
        attachTags(c, jobs);
        return new Page(jobs, more);
    }

    static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            ps.setObject(i + 1, args.get(i));
        }
    }

    static ObjectNode stats(Connection c, LocalDate from, LocalDate to) throws SQLException {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode days = out.putArray("days");
        try (PreparedStatement ps = c.prepareStatement(DAYS_SQL)) {
            ps.setObject(1, from);
            ps.setObject(2, to);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectNode d = days.addObject();
                    d.put("date", rs.getObject(1, LocalDate.class).toString());
                    d.put("total_jobs", rs.getInt(2));
                    d.put("completed_jobs", rs.getInt(3));
                    d.put("failed_jobs", rs.getInt(4));
                    d.put("avg_processing_time_ms", rs.getBigDecimal(5));
                    d.put("error_rate", rs.getBigDecimal(6));
                }
            }
        }
        ArrayNode errors = out.putArray("errors");
        try (PreparedStatement ps = c.prepareStatement(ERRORS_SQL)) {
            ps.setObject(1, from);
            ps.setObject(2, to);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectNode e = errors.addObject();
                    e.put("date", rs.getObject(1, LocalDate.class).toString());
                    e.put("error_code", rs.getString(2));
                    e.put("failed_jobs", rs.getInt(3));
                }
            }
        }
        return out;
    }

    private static ObjectNode row(ResultSet rs) throws SQLException {
        ObjectNode j = JSON.createObjectNode();
        String id = rs.getString("job_id");
        j.put("job_id", id);
        j.put("user_id", rs.getString("user_id"));
        j.put("status", rs.getString("status"));
        j.put("created_at", time(rs, "created_at"));
        j.put("completed_at", time(rs, "completed_at"));
        putInt(j, "processing_time_ms", rs, "processing_time_ms");
        putInt(j, "image_width", rs, "image_width");
        putInt(j, "image_height", rs, "image_height");
        putInt(j, "file_size_kb", rs, "file_size_kb");
        String params = rs.getString("params");
        try {
            j.set("params", params == null ? JSON.nullNode() : JSON.readTree(params));
        } catch (IOException e) {
            throw new SQLException("params of job " + id + " is not JSON", e);
        }
        j.put("error_code", rs.getString("error_code"));
        j.put("error_message", rs.getString("error_message"));
        j.put("model", rs.getString("model"));
        j.put("model_version", rs.getString("model_version"));
        j.put("reused", rs.getBoolean("reused"));
        ObjectNode blobs = j.putObject("blobs");
        blob(blobs, id, "original", rs.getString("original_path"));
        blob(blobs, id, "mask", rs.getString("mask_path"));
        blob(blobs, id, "cutout", rs.getString("processed_path"));
        j.putArray("tags");
        return j;
    }

    /** A blob reference: where it is stored and the service URL that streams it. */
    private static void blob(ObjectNode blobs, String id, String what, String uri) {
        if (uri == null || !uri.startsWith("s3://")) {
            blobs.putNull(what); // never stored (e.g. a failed job's inline source)
            return;
        }
        ObjectNode b = blobs.putObject(what);
        b.put("uri", uri);
        b.put("url", "/api/jobs/" + id + "/" + what);
        b.put("content_type", ContentTypes.of(uri));
    }

    private static String time(ResultSet rs, String col) throws SQLException {
        OffsetDateTime t = rs.getObject(col, OffsetDateTime.class);
        return t == null ? null : t.toInstant().toString();
    }

    private static void putInt(ObjectNode j, String name, ResultSet rs, String col)
            throws SQLException {
        int v = rs.getInt(col);
        if (rs.wasNull()) {
            j.putNull(name);
        } else {
            j.put(name, v);
        }
    }

    private static void attachTags(Connection c, List<ObjectNode> jobs) throws SQLException {
        if (jobs.isEmpty()) {
            return;
        }
        Map<String, ArrayNode> byId = new LinkedHashMap<>();
        UUID[] ids = new UUID[jobs.size()];
        for (int i = 0; i < jobs.size(); i++) {
            String id = jobs.get(i).get("job_id").asText();
            ids[i] = UUID.fromString(id);
            byId.put(id, (ArrayNode) jobs.get(i).get("tags"));
        }
        try (PreparedStatement ps = c.prepareStatement(TAGS_SQL)) {
            Array array = c.createArrayOf("uuid", ids);
            ps.setArray(1, array);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byId.get(rs.getString(1)).add(rs.getString(2));
                }
            }
        }
    }

    static JsonNode parse(String json) throws IOException {
        return JSON.readTree(json);
    }
}
