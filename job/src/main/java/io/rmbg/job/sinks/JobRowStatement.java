package io.rmbg.job.sinks;

import org.apache.flink.connector.jdbc.JdbcStatementBuilder;

import io.rmbg.core.event.Text;
import io.rmbg.core.records.JobResult;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;

/**
 * Upserts one job's row into {@code image_process_jobs} and links its tags, in one statement.
 *
 * <p>The table is partitioned by {@code created_at} and its key is {@code (job_id, created_at)}, so
 * the statement first upserts the job's id into {@code jobs_ids} (unique {@code job_id}): the first
 * write's {@code created_at} wins there and is the one the row is written with, for ever — a replay
 * that carries another {@code created_at} still finds the same row in the same partition. An id
 * another user owns returns nothing from that first step, so nothing else is written.
 *
 * <p>What must stay true: a replayed result never creates a second row ({@code ON CONFLICT
 * (job_id)} on {@code jobs_ids}), never moves a terminal row ({@code completed}/{@code failed})
 * back to another status, nor touches a row of another user (the {@code WHERE} guard on the
 * update). A terminal result replaces a terminal row: after a failover the replayed attempt, which
 * is the one the restored statistics and the last trace count, may end differently from the first
 * (README "Which attempt counts"). Every text is bound in a form PostgreSQL accepts (no NUL, valid
 * UTF-8, within its column's length): a value the database refused would fail the whole batch and,
 * replayed, the job forever. Tags are upserted in name order so that concurrent sink instances lock
 * them in the same order.
 */
public final class JobRowStatement implements JdbcStatementBuilder<JobResult> {
    private static final long serialVersionUID = 1L;
    private static final int PATH_CHARS = 512;

    /** Messages quote user values; a few thousand characters tell the story. */
    static final int MESSAGE_CHARS = 4000;

    public static final String SQL =
            "WITH id AS ("
                    + " INSERT INTO jobs_ids (job_id, user_id, created_at)"
                    + " VALUES (?::uuid, ?, ?::timestamptz)"
                    + " ON CONFLICT (job_id) DO UPDATE SET created_at = jobs_ids.created_at"
                    + " WHERE jobs_ids.user_id = EXCLUDED.user_id"
                    + " RETURNING job_id, user_id, created_at),"
                    + " job AS ("
                    + " INSERT INTO image_process_jobs (job_id, user_id, original_path, mask_path,"
                    + " processed_path, status, created_at, completed_at, processing_time_ms,"
                    + " image_width, image_height, file_size_kb, params, error_message, error_code,"
                    + " model, model_version, reused)"
                    + " SELECT id.job_id, id.user_id, ?, ?, ?, ?, id.created_at, ?::timestamptz,"
                    + " ?::integer, ?::integer, ?::integer, ?::integer, ?::jsonb, ?, ?, ?, ?,"
                    + " ?::boolean FROM id"
                    + " ON CONFLICT (job_id, created_at) DO UPDATE SET user_id = EXCLUDED.user_id,"
                    + " original_path = EXCLUDED.original_path, mask_path = EXCLUDED.mask_path,"
                    + " processed_path = EXCLUDED.processed_path, status = EXCLUDED.status,"
                    + " completed_at = EXCLUDED.completed_at,"
                    + " processing_time_ms = EXCLUDED.processing_time_ms,"
                    + " image_width = EXCLUDED.image_width, image_height = EXCLUDED.image_height,"
                    + " file_size_kb = EXCLUDED.file_size_kb, params = EXCLUDED.params,"
                    + " error_message = EXCLUDED.error_message, error_code = EXCLUDED.error_code,"
                    + " model = EXCLUDED.model, model_version = EXCLUDED.model_version,"
                    + " reused = EXCLUDED.reused"
                    + " WHERE image_process_jobs.user_id = EXCLUDED.user_id"
                    + " AND (image_process_jobs.status NOT IN ('completed', 'failed')"
                    + " OR EXCLUDED.status IN ('completed', 'failed'))"
                    + " RETURNING job_id),"
                    + " job_tags AS ("
                    + " INSERT INTO tags (name)"
                    + " SELECT DISTINCT t FROM jsonb_array_elements_text(?::jsonb) AS t ORDER BY t"
                    + " ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name"
                    + " RETURNING tag_id)"
                    + " INSERT INTO image_tags (job_id, tag_id)"
                    + " SELECT job.job_id, job_tags.tag_id FROM job, job_tags"
                    + " ON CONFLICT DO NOTHING";

    @Override
    public void accept(PreparedStatement ps, JobResult r) throws SQLException {
        int i = 0;
        ps.setString(++i, r.jobId());
        ps.setString(++i, Text.storable(r.userId(), 64));
        ps.setObject(++i, SqlValues.utc(r.createdAtMillis()));
        ps.setString(++i, Text.storable(r.originalPath(), PATH_CHARS));
        ps.setString(++i, r.mask() == null ? null : Text.storable(r.mask().uri(), PATH_CHARS));
        ps.setString(
                ++i, r.processed() == null ? null : Text.storable(r.processed().uri(), PATH_CHARS));
        ps.setString(++i, r.status().dbValue());
        ps.setObject(++i, SqlValues.utc(r.completedAtMillis()));
        ps.setInt(++i, (int) Math.min(Integer.MAX_VALUE, r.processingTimeMs()));
        setInt(ps, ++i, r.imageWidth());
        setInt(ps, ++i, r.imageHeight());
        setInt(ps, ++i, r.fileSizeKb());
        ps.setString(++i, r.paramsJson());
        ps.setString(++i, Text.storable(r.errorMessage(), MESSAGE_CHARS));
        ps.setString(++i, r.errorCode() == null ? null : r.errorCode().name());
        ps.setString(++i, Text.storable(r.model(), 128));
        ps.setString(++i, Text.storable(r.modelVersion(), 64));
        ps.setBoolean(++i, r.reused());
        ps.setString(++i, tagsJson(r.tags()));
    }

    private static void setInt(PreparedStatement ps, int index, Integer value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setInt(index, value);
        }
    }

    static String tagsJson(String[] tags) {
        var array = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        if (tags != null) {
            for (String t : tags) {
                array.add(Text.storable(t, 64));
            }
        }
        return array.toString();
    }
}
