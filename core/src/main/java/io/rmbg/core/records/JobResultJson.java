package io.rmbg.core.records;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;

/**
 * The JSON trace of a finished job on {@code image-results} (docs/contracts.md §3): the row's
 * facts, blob references and per-stage timings. Field names are snake_case like the table's
 * columns.
 */
public final class JobResultJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JobResultJson() {}

    public static byte[] toBytes(JobResult r) {
        try {
            return MAPPER.writeValueAsBytes(toTree(r));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a job result is always serialisable", e);
        }
    }

    public static ObjectNode toTree(JobResult r) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("job_id", r.jobId());
        n.put("user_id", r.userId());
        n.put("status", r.status().dbValue());
        n.put("error_code", r.errorCode() == null ? null : r.errorCode().name());
        n.put("error_message", r.errorMessage());
        n.put("original_path", r.originalPath());
        n.set("original", blob(r.original()));
        n.set("mask", blob(r.mask()));
        n.set("processed", blob(r.processed()));
        n.put("image_width", r.imageWidth());
        n.put("image_height", r.imageHeight());
        n.put("file_size_kb", r.fileSizeKb());
        n.set("params", params(r.paramsJson()));
        var tags = n.putArray("tags");
        for (String t : r.tags() == null ? new String[0] : r.tags()) {
            tags.add(t);
        }
        n.put("created_at", Instant.ofEpochMilli(r.createdAtMillis()).toString());
        n.put("completed_at", Instant.ofEpochMilli(r.completedAtMillis()).toString());
        n.put("processing_time_ms", r.processingTimeMs());
        n.put("model", r.model());
        n.put("model_version", r.modelVersion());
        n.put("reused", r.reused());
        StageTimings t = r.timings() == null ? StageTimings.NONE : r.timings();
        ObjectNode timings = n.putObject("timings_ms");
        timings.put("queue", t.queue());
        timings.put("fetch", t.fetch());
        timings.put("decode", t.decode());
        timings.put("inference", t.inference());
        timings.put("postprocess", t.postprocess());
        timings.put("encode", t.encode());
        timings.put("store", t.store());
        return n;
    }

    private static JsonNode blob(BlobRef b) {
        if (b == null) {
            return MAPPER.nullNode();
        }
        ObjectNode n = MAPPER.createObjectNode();
        n.put("uri", b.uri());
        n.put("sha256", b.sha256());
        n.put("bytes", b.bytes());
        n.put("width", b.width());
        n.put("height", b.height());
        n.put("content_type", b.contentType());
        return n;
    }

    private static JsonNode params(String json) {
        if (json == null) {
            return MAPPER.nullNode();
        }
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return MAPPER.nullNode();
        }
    }
}
