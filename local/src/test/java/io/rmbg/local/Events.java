package io.rmbg.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.UUID;

/**
 * Image events as the ITCases send them (README "Event format"), built the same way everywhere so
 * that a test reads as what it sends: {@code Events.inline("u1", SampleImages.png(64, 64))}.
 */
final class Events {
    static final ObjectMapper JSON = new ObjectMapper();

    private Events() {}

    /** An event of {@code user} with a fresh {@code job_id} and no image yet. */
    static ObjectNode event(String user) {
        return JSON.createObjectNode()
                .put("job_id", UUID.randomUUID().toString())
                .put("user_id", user);
    }

    /** An event of {@code user} with a fresh {@code job_id} carrying {@code image} inline. */
    static ObjectNode inline(String user, byte[] image) {
        return event(user).put("image_base64", b64(image));
    }

    /** The job id of an event built here. */
    static String jobId(ObjectNode event) {
        return event.get("job_id").asText();
    }

    /** The event as the bytes of a Kafka record. */
    static byte[] bytes(ObjectNode event) {
        try {
            return JSON.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
