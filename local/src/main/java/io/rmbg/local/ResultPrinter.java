package io.rmbg.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rmbg.job.config.KafkaSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Prints a line per finished job and per dead letter, from the end of the results and dead-letter
 * topics as they were at start; with a {@link DemoSheet}, also where its contact sheet is written.
 */
final class ResultPrinter {
    private final ObjectMapper json = new ObjectMapper();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Path dataDir;
    private volatile DemoSheet demoSheet;

    /** Subscribes at once, so that nothing finished after this call is missed. */
    ResultPrinter(KafkaSettings kafka, Path dataDir) {
        this.dataDir = dataDir;
        this.consumer =
                new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                                        Long.toString(kafka.maxFetchBytes())),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(kafka.resultsTopic(), kafka.deadLetterTopic())) {
            consumer.partitionsFor(topic)
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
    }

    /** Prints on a daemon thread until {@link #stop()}. */
    void start() {
        Thread printer = new Thread(this::printUntilStopped, "rmbg-results-printer");
        printer.setDaemon(true);
        printer.start();
    }

    void stop() {
        consumer.wakeup();
    }

    /** From now on, finished demo photos also fill {@code sheet}. */
    void collectInto(DemoSheet sheet) {
        demoSheet = sheet;
    }

    private void printUntilStopped() {
        try (consumer) {
            while (true) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    LocalConsole.say(
                            r.topic().endsWith("dlq") ? deadLetterLine(r) : resultLine(r.value()));
                }
            }
        } catch (WakeupException e) {
            // shutting down
        }
    }

    private String resultLine(byte[] value) {
        try {
            JsonNode n = json.readTree(value);
            String head =
                    String.format(
                            "  job %s  %-9s %5d ms",
                            n.path("job_id").asText(),
                            n.path("status").asText(),
                            n.path("processing_time_ms").asLong());
            String line;
            if ("completed".equals(n.path("status").asText())) {
                String uri = n.path("processed").path("uri").asText();
                line =
                        head
                                + "  "
                                + n.path("image_width").asInt()
                                + "x"
                                + n.path("image_height").asInt()
                                + (n.path("reused").asBoolean() ? "  reused" : "")
                                + "  cut-out "
                                + uri
                                + "  (file: "
                                + onDisk(uri, dataDir)
                                + ")";
            } else {
                line =
                        head
                                + "  "
                                + n.path("error_code").asText()
                                + ": "
                                + n.path("error_message").asText();
            }
            DemoSheet sheet = demoSheet;
            if (sheet != null) {
                Optional<Path> written =
                        sheet.offer(n, uri -> Files.readAllBytes(onDisk(uri, dataDir)));
                if (written.isPresent()) {
                    line +=
                            System.lineSeparator()
                                    + "Demo: contact sheet (each photo beside its cut-out): "
                                    + written.get().toAbsolutePath();
                }
            }
            return line;
        } catch (Exception e) {
            return "  (unreadable result: " + e.getMessage() + ")";
        }
    }

    private static String deadLetterLine(ConsumerRecord<byte[], byte[]> r) {
        return "  dead letter from "
                + header(r, "source_topic")
                + "/"
                + header(r, "source_partition")
                + "@"
                + header(r, "source_offset")
                + "  "
                + header(r, "error_code")
                + ": "
                + header(r, "error_message");
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null ? "?" : new String(h.value(), UTF_8);
    }

    /** Where the S3 server keeps an object on disk: {@code <data>/s3/<bucket>/<key>}. */
    static Path onDisk(String s3Uri, Path dataDir) {
        return dataDir.resolve("s3").resolve(s3Uri.substring("s3://".length()));
    }
}
