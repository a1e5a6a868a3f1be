package io.rmbg.job.functions;

import org.apache.flink.api.common.functions.MapFunction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rmbg.core.records.DeadLetter;
import io.rmbg.core.records.SourceRecord;

import java.io.IOException;

/**
 * Keeps sensitive images out of the dead-letter topic (and the bucket's {@code dead-letters/}): a
 * dead letter whose value is a JSON event with {@code image_base64} and {@code params.sensitive:
 * true} (every such event under {@code security.encrypt-all}) goes on without {@code image_base64},
 * marked {@code "image_base64_redacted": true}. Everything else about the event stays, so the
 * sender can still tell which record failed and why; the image itself must be sent again. Values
 * that are not JSON objects pass unchanged: nothing in them can be recognised as sensitive.
 */
public final class RedactSensitiveDeadLetters implements MapFunction<DeadLetter, DeadLetter> {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String INLINE = "image_base64";
    static final String REDACTED = "image_base64_redacted";

    private final boolean everyImageSensitive;

    /**
     * @param everyImageSensitive {@code security.encrypt-all}
     */
    public RedactSensitiveDeadLetters(boolean everyImageSensitive) {
        this.everyImageSensitive = everyImageSensitive;
    }

    @Override
    public DeadLetter map(DeadLetter letter) {
        SourceRecord s = letter.source();
        byte[] redacted = redacted(s.value());
        if (redacted == null) {
            return letter;
        }
        return new DeadLetter(
                new SourceRecord(
                        s.topic(), s.partition(), s.offset(), s.timestampMillis(), redacted),
                letter.errorCode(),
                letter.errorMessage(),
                letter.valueUri());
    }

    /** The value without its inline image, or null when it stays as it is. */
    private byte[] redacted(byte[] value) {
        if (value == null || value.length == 0) {
            return null;
        }
        JsonNode event;
        try {
            event = JSON.readTree(value);
        } catch (IOException notJson) {
            return null;
        }
        if (!(event instanceof ObjectNode object) || !object.has(INLINE)) {
            return null;
        }
        JsonNode sensitive = object.path("params").path("sensitive");
        boolean isSensitive =
                everyImageSensitive
                        || sensitive.asBoolean(false)
                        || "true".equalsIgnoreCase(sensitive.asText(""));
        if (!isSensitive) {
            return null;
        }
        object.remove(INLINE);
        object.put(REDACTED, true);
        try {
            return JSON.writeValueAsBytes(object);
        } catch (IOException e) {
            throw new IllegalStateException("a parsed JSON tree always serialises", e);
        }
    }
}
