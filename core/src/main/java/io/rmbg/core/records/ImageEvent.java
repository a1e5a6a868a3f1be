package io.rmbg.core.records;

/**
 * A validated image event (docs/contracts.md §1). Exactly one of {@code imageUri} and {@code
 * imageBase64} is set; base64 stays undecoded here so that decoding runs on the processing pool,
 * not on the task thread.
 *
 * @param jobId the given job id, or a name-based UUID of topic, partition and offset
 * @param paramsJson the event's {@code params} object as JSON text, or {@code null}
 * @param createdAtMillis event time: {@code created_at}, or the Kafka record timestamp
 * @param receivedAtMillis wall-clock time the event entered the pipeline
 */
public record ImageEvent(
        String jobId,
        String userId,
        String imageUri,
        String imageBase64,
        ImageParams params,
        String paramsJson,
        String[] tags,
        long createdAtMillis,
        long receivedAtMillis,
        String sourcePosition) {

    /** What {@code image_process_jobs.original_path} holds until the original is stored. */
    public String sourceReference() {
        return imageUri != null ? imageUri : "inline:";
    }
}
