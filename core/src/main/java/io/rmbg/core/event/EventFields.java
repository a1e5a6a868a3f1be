package io.rmbg.core.event;

import com.fasterxml.jackson.databind.JsonNode;
import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.ImageParams;
import io.rmbg.core.records.SourceRecord;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import static io.rmbg.core.event.ImageEventParser.EARLIEST_CREATED_AT;
import static io.rmbg.core.event.ImageEventParser.LATEST_CREATED_AT;
import static io.rmbg.core.event.ImageEventParser.MAX_TAGS;
import static io.rmbg.core.event.ImageEventParser.MAX_TAG_CHARS;
import static io.rmbg.core.event.ImageEventParser.MAX_URI_CHARS;

/**
 * The fields of one event as far as {@link ImageEventParser} could read them, with the readers of
 * the self-contained ones ({@code created_at}, {@code tags}); each problem found adds a line.
 */
final class EventFields {
    final String jobId;
    final String userId;
    final SourceRecord record;
    final long receivedAt;
    String imageUri;
    String imageBase64;
    ImageParams params = ImageParams.DEFAULTS;
    String paramsJson;
    String[] tags = new String[0];
    long createdAtMillis;
    ErrorCode errorCode = ErrorCode.INVALID_EVENT;

    EventFields(String jobId, String userId, SourceRecord record, long receivedAt) {
        this.jobId = jobId;
        this.userId = userId;
        this.record = record;
        this.receivedAt = receivedAt;
        // A record timestamp outside the range (Kafka's -1 for none, or a producer's clock
        // gone wrong) would break the row and the statistics: the job's arrival stands in.
        long ts = record.timestampMillis();
        this.createdAtMillis =
                ts >= EARLIEST_CREATED_AT.toEpochMilli() && ts <= LATEST_CREATED_AT.toEpochMilli()
                        ? ts
                        : receivedAt;
    }

    ImageEvent toEvent() {
        String uri = imageUri == null ? null : Text.clip(imageUri, MAX_URI_CHARS);
        return new ImageEvent(
                jobId,
                userId,
                uri,
                imageBase64,
                params,
                paramsJson,
                tags,
                createdAtMillis,
                receivedAt,
                record.position());
    }

    void readCreatedAt(JsonNode root, List<String> problems) {
        JsonNode node = root.get("created_at");
        if (node == null || node.isNull()) {
            return;
        }
        if (!node.isTextual()) {
            problems.add("created_at must be an ISO-8601 string");
            return;
        }
        Instant createdAt;
        try {
            createdAt = OffsetDateTime.parse(node.textValue()).toInstant();
        } catch (DateTimeParseException e) {
            problems.add(
                    "created_at must be an ISO-8601 instant with offset, got "
                            + Text.quote(node.textValue()));
            return;
        }
        if (!inCreatedAtRange(createdAt)) {
            problems.add(
                    "created_at must lie between "
                            + EARLIEST_CREATED_AT
                            + " and "
                            + LATEST_CREATED_AT
                            + ", got "
                            + Text.quote(node.textValue()));
            return;
        }
        createdAtMillis = createdAt.toEpochMilli();
    }

    private static boolean inCreatedAtRange(Instant t) {
        return !t.isBefore(EARLIEST_CREATED_AT) && !t.isAfter(LATEST_CREATED_AT);
    }

    void readTags(JsonNode root, List<String> problems) {
        JsonNode node = root.get("tags");
        if (node == null || node.isNull()) {
            return;
        }
        if (!node.isArray()) {
            problems.add("tags must be an array of strings");
            return;
        }
        if (node.size() > MAX_TAGS) {
            problems.add("at most " + MAX_TAGS + " tags are allowed, got " + node.size());
            return;
        }
        List<String> tags = new ArrayList<>();
        for (JsonNode tag : node) {
            if (!tag.isTextual()) {
                problems.add("tags must be an array of strings");
                return;
            }
            String t = tag.textValue();
            int chars = Text.length(t);
            if (chars < 1 || chars > MAX_TAG_CHARS || Text.hasNul(t)) {
                problems.add("each tag must be 1 to 64 characters without NUL");
                return;
            }
            if (!tags.contains(t)) {
                tags.add(t);
            }
        }
        this.tags = tags.toArray(String[]::new);
    }
}
