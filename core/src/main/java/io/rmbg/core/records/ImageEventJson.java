package io.rmbg.core.records;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;

/**
 * An event as the parser understood it, written back in the {@code image-events} format
 * (docs/contracts.md §1): what a dead letter holds when the refusal comes after parsing, where the
 * original bytes are no longer at hand. Sending it again (with a new job_id) makes the same job.
 */
public final class ImageEventJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ImageEventJson() {}

    public static byte[] toBytes(ImageEvent e) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("job_id", e.jobId());
        n.put("user_id", e.userId());
        if (e.imageUri() != null) {
            n.put("image_uri", e.imageUri());
        }
        if (e.imageBase64() != null) {
            n.put("image_base64", e.imageBase64());
        }
        try {
            if (e.paramsJson() != null) {
                n.set("params", MAPPER.readTree(e.paramsJson()));
            }
            var tags = n.putArray("tags");
            for (String t : e.tags() == null ? new String[0] : e.tags()) {
                tags.add(t);
            }
            n.put("created_at", Instant.ofEpochMilli(e.createdAtMillis()).toString());
            return MAPPER.writeValueAsBytes(n);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("a parsed event is always serialisable", ex);
        }
    }
}
