package io.rmbg.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;

/**
 * What {@code GET /api/jobs} filters on. {@code user} is whose history (an admin may pass {@code
 * user=}; everyone else sees only their own); {@code null} for an admin means every user.
 *
 * @param paramsJson canonical JSON of the containment filter ({@code params @> ?::jsonb})
 */
public record HistoryFilter(
        String user,
        String status,
        OffsetDateTime from,
        OffsetDateTime to,
        String tag,
        String tagLike,
        String paramsJson,
        int limit) {

    public static final int DEFAULT_LIMIT = 24;
    static final int MAX_LIMIT = 100;
    private static final Set<String> STATUSES =
            Set.of("pending", "processing", "completed", "failed");
    private static final ObjectMapper JSON = new ObjectMapper();

    static HistoryFilter parse(Map<String, String> q, Principal who) throws ApiException {
        String user = who.userId();
        if (who.admin()) {
            user = q.get("user"); // an admin sees everyone unless narrowed
        }
        String status = blankToNull(q.get("status"));
        if (status != null && !STATUSES.contains(status)) {
            throw ApiException.badRequest(
                    "status must be one of pending, processing, completed, failed");
        }
        String params = blankToNull(q.get("params"));
        if (params != null) {
            try {
                JsonNode node = JSON.readTree(params);
                if (node == null || !node.isObject()) {
                    throw ApiException.badRequest(
                            "params must be a JSON object, e.g. params={\"threshold\":0.9}");
                }
                params = JSON.writeValueAsString(node);
            } catch (JsonProcessingException e) {
                throw ApiException.badRequest(
                        "params is not valid JSON (e.g. params={\"threshold\":0.9}): "
                                + e.getOriginalMessage());
            }
        }
        int limit = DEFAULT_LIMIT;
        if (q.get("limit") != null) {
            try {
                limit = Integer.parseInt(q.get("limit"));
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                throw ApiException.badRequest("limit must be 1.." + MAX_LIMIT);
            }
        }
        return new HistoryFilter(
                user,
                status,
                time(q.get("from"), "from", false),
                time(q.get("to"), "to", true),
                limitTag(q.get("tag"), "tag"),
                limitTag(q.get("tag_like"), "tag_like"),
                params,
                limit);
    }

    /**
     * An ISO instant ({@code 2025-01-31T10:00:00Z}) or a date; a date as {@code to} means the end
     * of that day (UTC).
     */
    static OffsetDateTime time(String value, String name, boolean endOfDay) throws ApiException {
        value = blankToNull(value);
        if (value == null) {
            return null;
        }
        try {
            if (value.length() == 10) {
                LocalDate day = LocalDate.parse(value);
                return (endOfDay ? day.plusDays(1) : day).atStartOfDay().atOffset(ZoneOffset.UTC);
            }
            return OffsetDateTime.ofInstant(Instant.parse(value), ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(
                    name + " must be a date (2025-01-31) or an instant (2025-01-31T10:00:00Z)");
        }
    }

    private static String limitTag(String value, String name) throws ApiException {
        value = blankToNull(value);
        if (value != null && value.length() > 64) {
            throw ApiException.badRequest(name + " has at most 64 characters");
        }
        return value;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /**
     * The filter as one string (page size aside): a cursor is bound to it; the first page's cache
     * key uses it.
     */
    String canonical() {
        return String.join(
                "\u0001",
                String.valueOf(user),
                String.valueOf(status),
                String.valueOf(from),
                String.valueOf(to),
                String.valueOf(tag),
                String.valueOf(tagLike),
                String.valueOf(paramsJson));
    }
}
