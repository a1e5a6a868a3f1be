package io.rmbg.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.rmbg.core.blob.S3BlobStore;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.rmbg.local.Events.JSON;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo's path end to end with the real model: {@code DemoEvents.sendPhotos} puts real photos on
 * Kafka (one through S3, one inline), the whole pipeline runs IS-Net on the embedded stack, the
 * masks in S3 keep the subject and drop the background, and the demo's contact sheet is written at
 * its expected size.
 */
class RealPhotosITCase extends PipelineITCaseBase {
    private static final List<RealPhotos.Photo> PHOTOS =
            List.of(RealPhotos.ASTRONAUT, RealPhotos.COFFEE);

    @Override
    PipelineConfig.Builder settings(Path dataDir) throws Exception {
        return PipelineConfig.builder()
                .set(ConfigKeys.MODEL_PATH, RealPhotos.model().toString())
                .set(ConfigKeys.MODEL_PROFILE, "isnet")
                .set(ConfigKeys.MODEL_INTRA_OP_THREADS, 1)
                .set(ConfigKeys.KAFKA_STARTING_OFFSETS, "earliest")
                .set(ConfigKeys.CHECKPOINT_INTERVAL_MS, 2000);
    }

    @Test
    void realPhotosComeOutCutOutAndTheDemoDrawsItsContactSheet() throws Exception {
        DemoSheet sheet =
                DemoEvents.sendPhotos(
                        config(), dataDir(), PHOTOS.stream().map(RealPhotos.Photo::name).toList());

        startJob("rmbg-real-photos-it");
        try (S3BlobStore s3 = new S3BlobStore(config().s3())) {
            List<JsonNode> traces = awaitTraces(PHOTOS.size() + 1, Duration.ofMinutes(4));
            Optional<Path> written = Optional.empty();
            List<String> completed = new ArrayList<>();
            for (JsonNode trace : traces) {
                if ("completed".equals(trace.path("status").asText())) {
                    RealPhotos.Photo photo =
                            photoOfSize(
                                    trace.path("image_width").asInt(),
                                    trace.path("image_height").asInt());
                    RealPhotos.checkMask(
                            photo, s3.get(trace.path("mask").path("uri").asText(), Long.MAX_VALUE));
                    assertThat(trace.path("model").asText()).isEqualTo("isnet");
                    completed.add(photo.name());
                }
                Optional<Path> now = sheet.offer(trace, uri -> s3.get(uri, Long.MAX_VALUE));
                written = now.isPresent() ? now : written;
            }
            assertThat(completed)
                    .containsExactlyInAnyOrderElementsOf(
                            PHOTOS.stream().map(RealPhotos.Photo::name).toList());

            assertThat(written).as("the contact sheet, once every photo job ended").isPresent();
            BufferedImage contactSheet = ImageIO.read(written.get().toFile());
            assertThat(contactSheet.getWidth())
                    .isEqualTo(ContactSheet.width())
                    .isEqualTo(2 * 240 + 3 * 8);
            assertThat(contactSheet.getHeight())
                    .isEqualTo(ContactSheet.height(PHOTOS.size()))
                    .isEqualTo(2 * 248 + 8);
        }
    }

    private static RealPhotos.Photo photoOfSize(int width, int height) {
        return PHOTOS.stream()
                .filter(p -> p.width() == width && p.height() == height)
                .findFirst()
                .orElseThrow(
                        () -> new AssertionError("no sample photo of " + width + "x" + height));
    }

    /**
     * The traces on image-results, once there are {@code count} (IS-Net takes seconds per photo).
     */
    private List<JsonNode> awaitTraces(int count, Duration timeout) throws Exception {
        List<ConsumerRecord<byte[], byte[]>> records =
                Poll.until(
                        timeout,
                        Duration.ofSeconds(1),
                        () -> traces(0),
                        r -> r.size() >= count,
                        r -> "traces on image-results: " + r.size() + " of " + count);
        assertThat(records).as("traces on image-results").hasSize(count);
        List<JsonNode> traces = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            traces.add(JSON.readTree(r.value()));
        }
        return traces;
    }
}
