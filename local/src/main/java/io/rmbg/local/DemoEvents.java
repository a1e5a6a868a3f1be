package io.rmbg.local;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.udf.blob.S3BlobStore;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * {@code --demo}: uploads and sends a handful of sample images, plus two bad events. The upload goes
 * to the demo user's own folder, the only place {@code source.allowed} lets its events read.
 */
final class DemoEvents {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DemoEvents() {}

    static void send(PipelineConfig config, Path dataDir) throws Exception {
        String bucket = config.get(ConfigKeys.S3_BUCKET);
        try (S3BlobStore s3 = new S3BlobStore(config.s3())) {
            s3.client().putObject(b -> b.bucket(bucket).key("uploads/demo-user/portrait.jpg"),
                    RequestBody.fromBytes(SampleImages.jpeg(1280, 960)));
        }
        List<ObjectNode> events = List.of(
                event("demo-user").put("image_uri", "s3://" + bucket + "/uploads/demo-user/portrait.jpg"),
                event("demo-user").put("image_base64", b64(SampleImages.pngWithAlpha(640, 480))),
                withParams(event("demo-user").put("image_base64", b64(SampleImages.jpeg(400, 1200))),
                        Map.of("threshold", 0.5, "background", "#FFFFFF")),
                event("demo-user").put("image_base64", b64(SampleImages.gif(300, 300))),
                event("demo-user").put("image_uri", "s3://" + bucket + "/uploads/demo-user/missing.jpg"));

        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(EmbeddedKafka.MAX_MESSAGE_BYTES)),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            String topic = config.get(ConfigKeys.KAFKA_TOPIC_EVENTS);
            for (ObjectNode e : events) {
                producer.send(new ProducerRecord<>(topic, e.get("user_id").asText().getBytes(UTF_8),
                        JSON.writeValueAsBytes(e)));
            }
            producer.send(new ProducerRecord<>(topic, "{\"user_id\": \"demo-user\", oops".getBytes(UTF_8)));
            producer.flush();
        }
        RmbgLocal.say("Demo: sent " + (events.size() + 1) + " events (4 images, 1 missing object,"
                + " 1 malformed record for the dead-letter topic).");
    }

    private static ObjectNode event(String user) {
        ObjectNode n = JSON.createObjectNode();
        n.put("job_id", UUID.randomUUID().toString());
        n.put("user_id", user);
        n.putArray("tags").add("demo");
        return n;
    }

    private static ObjectNode withParams(ObjectNode event, Map<String, Object> params) {
        event.set("params", JSON.valueToTree(params));
        return event;
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
