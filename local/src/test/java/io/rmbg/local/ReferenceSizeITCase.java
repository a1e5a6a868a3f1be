package io.rmbg.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.testkit.SyntheticModels;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The design's headline claim, measured on this project: a job's row and trace hold references, not
 * images, so together they weigh at most 1 % of the image bytes they describe; and a trace is far
 * smaller than one that embedded its three images. Real photos (the demo's four) through the whole
 * pipeline; row bytes as PostgreSQL stores them ({@code pg_column_size}), trace bytes as Kafka
 * carries them.
 */
class ReferenceSizeITCase extends PipelineITCaseBase {

    @Override
    PipelineConfig.Builder settings(Path dataDir) throws Exception {
        Path model = dataDir.resolve("colour-key.onnx");
        SyntheticModels.writeColourKeyModel(model, 1024);
        return PipelineConfig.builder()
                .set(ConfigKeys.MODEL_PATH, model.toString())
                .set(ConfigKeys.MODEL_PROFILE, "rmbg-2.0")
                .set(ConfigKeys.MODEL_INTRA_OP_THREADS, 1)
                .set(ConfigKeys.KAFKA_STARTING_OFFSETS, "earliest")
                .set(ConfigKeys.CHECKPOINT_INTERVAL_MS, 2000);
    }

    @Test
    void rowsAndTracesWeighAtMostOnePercentOfTheImages() throws Exception {
        startJob("rmbg-reference-size-it");
        List<String> ids = new ArrayList<>();
        for (String photo : SamplePhotos.ALL) {
            ObjectNode event = Events.inline("sizes", SamplePhotos.jpeg(photo));
            event.putArray("tags").add("demo").add(photo);
            event.putObject("params").put("threshold", 0.5);
            ids.add(Events.jobId(event));
            send(Events.bytes(event));
        }
        // A 1920x1080 JPEG, the size the design's figure has in mind (the demo's photos are web
        // thumbnails of 28-57 KB): the rocket photo scaled up, encoded at quality 0.9.
        ObjectNode fullHd =
                Events.inline("sizes-1080p", fullHd(SamplePhotos.jpeg(SamplePhotos.ROCKET)));
        ids.add(Events.jobId(fullHd));
        send(Events.bytes(fullHd));
        db().awaitCompleted(ids, Duration.ofMinutes(2));
        long fullHdRow =
                db().count(
                                "SELECT sum(pg_column_size(j.*)) FROM image_process_jobs j"
                                        + " WHERE user_id = 'sizes-1080p'");

        long rowBytes =
                db().count(
                                "SELECT sum(pg_column_size(j.*)) FROM image_process_jobs j"
                                        + " WHERE user_id = 'sizes'");
        long tagLinkBytes =
                db().count(
                                "SELECT coalesce(sum(pg_column_size(t.*)), 0) FROM image_tags t"
                                        + " JOIN image_process_jobs j USING (job_id) WHERE j.user_id = 'sizes'");
        long traceBytes = 0;
        long imageBytes = 0;
        long originalBytes = 0;
        long embeddedTraceBytes = 0;
        List<ConsumerRecord<byte[], byte[]>> traces =
                TopicRecords.readAll(
                        stack().kafkaBootstrapServers(),
                        config().get(ConfigKeys.KAFKA_TOPIC_RESULTS),
                        ids.size());
        double fullHdPercent = 0;
        for (ConsumerRecord<byte[], byte[]> trace : traces) {
            JsonNode t = Events.JSON.readTree(trace.value());
            if (t.path("user_id").asText().equals("sizes-1080p")) {
                fullHdPercent =
                        100.0
                                * (fullHdRow + trace.value().length)
                                / t.path("original").path("bytes").asLong();
                continue;
            }
            long blobs = 0;
            for (String blob : List.of("original", "mask", "processed")) {
                blobs += t.path(blob).path("bytes").asLong();
            }
            traceBytes += trace.value().length;
            imageBytes += blobs;
            originalBytes += t.path("original").path("bytes").asLong();
            // The same trace with the three images inline (base64), as a design without
            // references would carry them.
            embeddedTraceBytes += trace.value().length + base64Length(blobs);
        }
        long referenceBytes = rowBytes + tagLinkBytes + traceBytes;
        int photos = SamplePhotos.ALL.size();
        double perJobOfOriginal = 100.0 * referenceBytes / originalBytes;
        double perJobOfImages = 100.0 * referenceBytes / imageBytes;
        System.out.printf(
                "reference sizes, %d real photos: row %d B + tag links %d B + trace %d B per job"
                        + " = %.2f %% of the bytes of the three images it references (%.2f %% of"
                        + " the original alone); 1920x1080 JPEG: %.2f %% of its original; a trace"
                        + " embedding its images would be %.0f times larger%n",
                photos,
                rowBytes / photos,
                tagLinkBytes / photos,
                traceBytes / photos,
                perJobOfImages,
                perJobOfOriginal,
                fullHdPercent,
                (double) embeddedTraceBytes / traceBytes);
        assertThat(traces).hasSize(ids.size());
        assertThat(perJobOfImages).isLessThanOrEqualTo(1.0);
        assertThat(fullHdPercent).isBetween(0.0, 1.0);
        assertThat(new String(traces.get(0).value(), StandardCharsets.UTF_8))
                .doesNotContain("image_base64");
    }

    private static byte[] fullHd(byte[] jpeg) throws Exception {
        java.awt.image.BufferedImage small =
                javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(jpeg));
        java.awt.image.BufferedImage big =
                new java.awt.image.BufferedImage(
                        1920, 1080, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = big.createGraphics();
        g.setRenderingHint(
                java.awt.RenderingHints.KEY_INTERPOLATION,
                java.awt.RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.drawImage(small, 0, 0, 1920, 1080, null);
        g.dispose();
        var writer = javax.imageio.ImageIO.getImageWritersByFormatName("jpeg").next();
        var param = writer.getDefaultWriteParam();
        param.setCompressionMode(javax.imageio.ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.9f);
        var out = new java.io.ByteArrayOutputStream();
        try (var stream = javax.imageio.ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new javax.imageio.IIOImage(big, null, null), param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    private static long base64Length(long bytes) {
        return Base64.getEncoder().encodeToString(new byte[0]).length() + 4 * ((bytes + 2) / 3);
    }
}
