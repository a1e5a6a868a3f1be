package io.rmbg.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rmbg.core.blob.S3BlobStore;
import io.rmbg.job.config.PipelineConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import software.amazon.awssdk.core.sync.RequestBody;

import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * {@code --demo}: uploads and sends real photos ({@link #sendPhotos}, with the real model) or the
 * colour-key drawings ({@link #send}, with the fallback model), plus two bad events. The upload
 * goes to the demo user's own folder, the only place {@code source.allowed} lets its events read.
 */
final class DemoEvents {
    /** The user the demo sends as; the launcher prints a token for it. */
    static final String DEMO_USER = "demo-user";

    private static final ObjectMapper JSON = new ObjectMapper();

    private DemoEvents() {}

    static void send(PipelineConfig config, Path dataDir) throws Exception {
        String bucket = config.s3().bucket();
        try (S3BlobStore s3 = new S3BlobStore(config.s3())) {
            s3.client()
                    .putObject(
                            b -> b.bucket(bucket).key("uploads/demo-user/portrait.jpg"),
                            RequestBody.fromBytes(SampleImages.jpeg(1280, 960)));
        }
        List<ObjectNode> events =
                List.of(
                        event(DEMO_USER)
                                .put(
                                        "image_uri",
                                        "s3://" + bucket + "/uploads/demo-user/portrait.jpg"),
                        event(DEMO_USER)
                                .put("image_base64", b64(SampleImages.pngWithAlpha(640, 480))),
                        withParams(
                                event(DEMO_USER)
                                        .put("image_base64", b64(SampleImages.jpeg(400, 1200))),
                                Map.of("threshold", 0.5, "background", "#FFFFFF")),
                        event(DEMO_USER).put("image_base64", b64(SampleImages.gif(300, 300))),
                        event(DEMO_USER)
                                .put(
                                        "image_uri",
                                        "s3://" + bucket + "/uploads/demo-user/missing.jpg"));

        produce(config, events);
        LocalConsole.say(
                "Demo: sent "
                        + (events.size() + 1)
                        + " events (4 images, 1 missing object,"
                        + " 1 malformed record for the dead-letter topic).");
    }

    /**
     * Sends the {@link SamplePhotos} (the first through S3, the rest inline), one missing object
     * and one malformed record; returns the photo jobs, whose results make the {@link DemoSheet}.
     */
    static DemoSheet sendPhotos(PipelineConfig config, Path dataDir, List<String> names)
            throws Exception {
        String bucket = config.s3().bucket();
        List<ObjectNode> photos = new java.util.ArrayList<>();
        for (String name : names) {
            if (photos.isEmpty()) {
                String key = "uploads/demo-user/" + name + ".jpg";
                try (S3BlobStore s3 = new S3BlobStore(config.s3())) {
                    s3.client()
                            .putObject(
                                    b -> b.bucket(bucket).key(key),
                                    RequestBody.fromBytes(SamplePhotos.jpeg(name)));
                }
                photos.add(event(DEMO_USER).put("image_uri", "s3://" + bucket + "/" + key));
            } else {
                photos.add(event(DEMO_USER).put("image_base64", b64(SamplePhotos.jpeg(name))));
            }
        }
        DemoSheet sheet =
                new DemoSheet(
                        photos.stream().map(e -> e.get("job_id").asText()).toList(),
                        dataDir.resolve("demo-contact-sheet.png"));
        List<ObjectNode> events = new java.util.ArrayList<>(photos);
        events.add(
                event(DEMO_USER)
                        .put("image_uri", "s3://" + bucket + "/uploads/demo-user/missing.jpg"));
        produce(config, events);
        LocalConsole.say(
                "Demo: sent "
                        + (events.size() + 1)
                        + " events ("
                        + photos.size()
                        + " photos: "
                        + String.join(", ", names)
                        + "; 1 missing object, 1 malformed record for the"
                        + " dead-letter topic). On a CPU each photo takes a few seconds.");
        return sheet;
    }

    private static void produce(PipelineConfig config, List<ObjectNode> events) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                        config.kafka().bootstrapServers(),
                                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                                        Integer.toString(EmbeddedKafka.MAX_MESSAGE_BYTES)),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            String topic = config.kafka().eventsTopic();
            for (ObjectNode e : events) {
                producer.send(
                        new ProducerRecord<>(
                                topic,
                                e.get("user_id").asText().getBytes(UTF_8),
                                JSON.writeValueAsBytes(e)));
            }
            producer.send(
                    new ProducerRecord<>(
                            topic, "{\"user_id\": \"demo-user\", oops".getBytes(UTF_8)));
            producer.flush();
        }
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
