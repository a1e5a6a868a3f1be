package io.rmbg.core.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rmbg.core.blob.SourcePolicy;
import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.process.ImageLimits;
import io.rmbg.core.records.DeadLetter;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.SourceRecord;

import java.io.IOException;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Turns a raw {@code image-events} record into a job, a failed job, or a dead letter
 * (docs/contracts.md §1, §2). Pure and deterministic: the same record always yields the same
 * outcome and job id, so a replay cannot create a second job.
 */
public final class ImageEventParser implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final Pattern S3_URI =
            Pattern.compile("s3://[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9]/.+");

    static final int MAX_USER_ID_CHARS = 64;
    static final int MAX_TAGS = 32;
    static final int MAX_TAG_CHARS = 64;
    static final int MAX_URI_CHARS = 512;

    /**
     * Largest {@code params} object, as compact JSON: it travels in the row, the trace and state.
     */
    public static final int MAX_PARAMS_BYTES = 16 * 1024;

    /**
     * The range of {@code created_at} (and of Kafka record timestamps used in its place): inside
     * both PostgreSQL's {@code timestamptz} and epoch milliseconds, and plausible for an upload.
     */
    public static final Instant EARLIEST_CREATED_AT = Instant.parse("1970-01-01T00:00:00Z");

    public static final Instant LATEST_CREATED_AT = Instant.parse("9999-12-31T23:59:59.999Z");

    private final long maxInlineBytes;
    private final SourcePolicy sources;
    private transient ObjectMapper mapper;

    /**
     * @param sources where an {@code image_uri} may point for the event's user; others fail as
     *     {@code SOURCE_NOT_ALLOWED} without the store being asked
     */
    public ImageEventParser(ImageLimits limits, SourcePolicy sources) {
        this.maxInlineBytes = limits.maxInlineBytes();
        this.sources = java.util.Objects.requireNonNull(sources, "sources cannot be null");
    }

    /** Longest base64 text whose decoded size can still be within the inline limit. */
    private long maxBase64Chars() {
        return (maxInlineBytes + 2) / 3 * 4 + 4;
    }

    public ParseOutcome parse(SourceRecord record, long nowMillis) {
        JsonNode root;
        try {
            root = mapper().readTree(record.value());
        } catch (JsonProcessingException e) {
            return deadLetter(record, "value is not valid UTF-8 JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            return deadLetter(record, "value could not be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            return deadLetter(record, "value must be a JSON object");
        }

        String jobId;
        JsonNode jobIdNode = root.get("job_id");
        if (jobIdNode == null || jobIdNode.isNull()) {
            jobId = derivedJobId(record);
        } else if (!jobIdNode.isTextual() || !isUuid(jobIdNode.textValue())) {
            return deadLetter(record, "job_id must be a UUID string when present");
        } else {
            jobId = UUID.fromString(jobIdNode.textValue()).toString();
        }

        JsonNode userNode = root.get("user_id");
        if (userNode == null || !userNode.isTextual()) {
            return deadLetter(record, "user_id is required and must be a string");
        }
        String userId = userNode.textValue();
        int userChars = Text.length(userId);
        if (userChars < 1 || userChars > MAX_USER_ID_CHARS) {
            return deadLetter(record, "user_id must be 1 to 64 characters, got " + userChars);
        }
        if (Text.hasNul(userId)) {
            return deadLetter(record, "user_id must not contain NUL characters");
        }

        EventFields f = new EventFields(jobId, userId, record, nowMillis);
        f.imageUri = text(root, "image_uri");
        f.imageBase64 = text(root, "image_base64");
        List<String> problems = new ArrayList<>();
        f.readCreatedAt(root, problems);
        f.readTags(root, problems);
        readParams(root, f, problems);
        readImage(root, f, problems);

        ImageEvent event = f.toEvent();
        if (!problems.isEmpty()) {
            return new ParseOutcome.Rejected(event, f.errorCode, String.join("; ", problems));
        }
        return new ParseOutcome.Accepted(event);
    }

    /** The job id of a record without one: a name-based UUID of topic, partition and offset. */
    public static String derivedJobId(SourceRecord record) {
        String name = "rmbg:" + record.topic() + "/" + record.partition() + "/" + record.offset();
        return UUID.nameUUIDFromBytes(name.getBytes(UTF_8)).toString();
    }

    private void readImage(JsonNode root, EventFields f, List<String> problems) {
        boolean hasUri = root.hasNonNull("image_uri");
        boolean hasInline = root.hasNonNull("image_base64");
        if (hasUri == hasInline) {
            problems.add("exactly one of image_uri and image_base64 is required");
            return;
        }
        if (hasUri) {
            if (f.imageUri == null) {
                problems.add("image_uri must be a string");
            } else if (Text.length(f.imageUri) > MAX_URI_CHARS) {
                problems.add("image_uri is longer than " + MAX_URI_CHARS + " characters");
            } else if (!S3_URI.matcher(f.imageUri).matches() || Text.hasNul(f.imageUri)) {
                problems.add(
                        "image_uri must look like s3://bucket/key, got " + Text.quote(f.imageUri));
            } else if (hasDotSegment(f.imageUri.substring(f.imageUri.indexOf('/', 5) + 1))) {
                problems.add("image_uri's key must not contain '.' or '..' path segments");
            } else if (!allowed(f.imageUri, f.userId)) {
                f.errorCode = problems.isEmpty() ? ErrorCode.SOURCE_NOT_ALLOWED : f.errorCode;
                problems.add(notAllowed(f.imageUri, f.userId));
            }
        } else if (f.imageBase64 == null) {
            problems.add("image_base64 must be a string");
        } else if (f.imageBase64.length() > maxBase64Chars()) {
            long approx = f.imageBase64.length() / 4L * 3;
            f.errorCode = problems.isEmpty() ? ErrorCode.IMAGE_TOO_LARGE : f.errorCode;
            problems.add(
                    "inline image is about "
                            + approx
                            + " bytes, the limit is "
                            + maxInlineBytes
                            + "; upload large images to S3 and send image_uri");
        }
    }

    private void readParams(JsonNode root, EventFields f, List<String> problems) {
        JsonNode node = root.get("params");
        if (node == null || node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            problems.add("params must be a JSON object");
            return;
        }
        String json;
        try {
            json = mapper().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            problems.add("params could not be serialised");
            return;
        }
        int bytes = json.getBytes(UTF_8).length;
        if (bytes > MAX_PARAMS_BYTES) {
            problems.add(
                    "params is "
                            + bytes
                            + " bytes as JSON, the limit is "
                            + MAX_PARAMS_BYTES
                            + "; keep large data out of the event");
            return;
        }
        if (json.contains("\\u0000")) {
            // PostgreSQL's jsonb refuses \u0000; storing it would fail the sink, not the job.
            problems.add("params must not contain NUL characters");
            return;
        }
        f.paramsJson = json;

        f.params = RecognisedParams.read((ObjectNode) node, problems);
    }

    private boolean allowed(String uri, String userId) {
        int slash = uri.indexOf('/', 5);
        return sources.allows(uri.substring(5, slash), uri.substring(slash + 1), userId);
    }

    /**
     * Decided from the configuration alone, before any store is asked: the text is the same whether
     * the object exists or not, so it cannot be used to probe for other users' objects.
     */
    private String notAllowed(String uri, String userId) {
        List<String> locations = sources.locationsFor(userId);
        String fix =
                locations.isEmpty()
                        ? "send the image inline as image_base64"
                        : "upload it under " + String.join(" or ", locations);
        String why =
                sources.excludesUser(userId)
                        ? " (a user_id with '/', '\\' or control characters, or '.' or '..', has no upload folder)"
                        : "";
        return "image_uri "
                + Text.quote(uri)
                + " is outside the locations this service reads for this user; "
                + fix
                + why;
    }

    /** HTTP clients and servers may resolve {@code ..} in a key, reaching outside the bucket. */
    private static boolean hasDotSegment(String key) {
        for (String segment : key.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..") || segment.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private static String text(JsonNode root, String field) {
        JsonNode node = root.get(field);
        return node != null && node.isTextual() ? node.textValue() : null;
    }

    private static boolean isUuid(String s) {
        if (s.length() != 36) {
            return false;
        }
        try {
            UUID.fromString(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static ParseOutcome deadLetter(SourceRecord record, String message) {
        return new ParseOutcome.DeadLettered(
                new DeadLetter(record, ErrorCode.INVALID_EVENT, message));
    }

    private ObjectMapper mapper() {
        if (mapper == null) {
            // Strings are bounded by the record, which the broker bounds: an inline image over our
            // limit must still parse, so that it fails as IMAGE_TOO_LARGE with its job's row.
            JsonFactory factory =
                    JsonFactory.builder()
                            .streamReadConstraints(
                                    StreamReadConstraints.builder()
                                            .maxStringLength(Integer.MAX_VALUE)
                                            .maxNestingDepth(64)
                                            .build())
                            .build();
            mapper = new ObjectMapper(factory);
        }
        return mapper;
    }
}
