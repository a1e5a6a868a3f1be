package io.rmbg.local;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rmbg.core.model.FetchableModel;
import io.rmbg.core.model.ModelCache;
import io.rmbg.core.model.ModelUnavailableException;
import io.rmbg.core.model.NpmModelFetcher;
import io.rmbg.job.ModelPreflight;
import io.rmbg.job.RmbgJob;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.ModelSettings;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.testkit.SyntheticModels;
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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * {@code bin/rmbg local [--demo] [--fresh]}: the whole system on this machine. Starts Kafka,
 * PostgreSQL and an S3 server, runs the real job on a Flink MiniCluster with the web UI, prints a
 * line per finished job, and keeps running until Ctrl-C.
 */
public final class RmbgLocal {
    static final int WEB_UI_PORT = 8081;
    static final int PARALLELISM = 2;

    private final ObjectMapper json = new ObjectMapper();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private boolean realModel;
    private volatile DemoSheet demoSheet;

    public static void main(String[] args) {
        try {
            new RmbgLocal().run(args);
        } catch (Throwable e) {
            System.err.println("rmbg local failed: " + e.getMessage());
            System.err.println(
                    "Details are in .local-data/rmbg.log. Fix the cause above and run bin/rmbg local again.");
            // Servers that failed half-way can leave non-daemon threads behind: make sure we exit.
            System.exit(1);
        }
    }

    /** Fails early, with advice, when another process holds one of the stack's ports. */
    private static void checkPortsFree(int... ports) {
        for (int port : ports) {
            try (java.net.ServerSocket s = new java.net.ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(
                        "port "
                                + port
                                + " is already in use: is another"
                                + " bin/rmbg local (or a Kafka, PostgreSQL, S3 or Flink server) running? Stop it first.");
            }
        }
    }

    private void run(String[] args) throws Exception {
        boolean demo = false;
        boolean fresh = false;
        Path dataDir = Path.of(".local-data");
        List<String> configArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--demo" -> demo = true;
                case "--fresh" -> fresh = true;
                case "--data-dir" -> dataDir = Path.of(args[++i]);
                case "-h", "--help" -> {
                    usage();
                    return;
                }
                default -> configArgs.add(args[i]);
            }
        }
        run(dataDir.toAbsolutePath(), demo, fresh, configArgs);
    }

    private void run(Path dataDir, boolean demo, boolean fresh, List<String> configArgs)
            throws Exception {
        if (fresh) {
            say("Fresh start: deleting " + dataDir);
            deleteRecursively(dataDir);
        }
        PipelineConfig base =
                PipelineConfig.fromArgs(configArgs.toArray(String[]::new), System.getenv());
        base = withDemoModel(base, dataDir);
        ModelPreflight.check(base); // before any server starts: a wrong model.path fails in seconds

        LocalStack.Options ports = LocalStack.Options.defaults(dataDir);
        checkPortsFree(
                ports.kafkaPort(),
                ports.controllerPort(),
                ports.postgresPort(),
                ports.s3Port(),
                WEB_UI_PORT);
        say("Starting Kafka, PostgreSQL and the S3 server (data in " + dataDir + ") …");
        LocalStack stack = LocalStack.start(ports, base);
        PipelineConfig config = stack.config();

        say("Starting Flink (web UI on http://localhost:" + WEB_UI_PORT + ") …");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(
                        flinkConfiguration(config, dataDir));
        env.setParallelism(PARALLELISM);
        RmbgJob.configure(env, config);
        RmbgJob.pipeline(config).build(env, config);
        JobClient job = env.executeAsync(RmbgJob.JOB_NAME);

        KafkaConsumer<byte[], byte[]> results = tail(config);
        Thread printer = new Thread(() -> printResults(results, dataDir), "rmbg-results-printer");
        printer.setDaemon(true);
        printer.start();

        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    say("Stopping …");
                                    results.wakeup();
                                    try {
                                        job.cancel().get();
                                    } catch (Exception e) {
                                        // already gone
                                    }
                                    stack.close();
                                    say(
                                            "Stopped. Data kept in "
                                                    + dataDir
                                                    + " (use --fresh to start empty).");
                                    stopped.countDown();
                                },
                                "rmbg-shutdown"));

        printEndpoints(config, dataDir, job);
        if (demo && realModel) {
            demoSheet = DemoEvents.sendPhotos(config, dataDir, SamplePhotos.ALL);
        } else if (demo) {
            DemoEvents.send(config, dataDir);
        }
        stopped.await();
    }

    /**
     * Without a {@code model.path} of the user's: the real IS-Net model, fetched into the user's
     * cache on first use; the colour-key net only when it cannot be fetched (no npm, no registry).
     */
    private PipelineConfig withDemoModel(PipelineConfig config, Path dataDir) throws Exception {
        if (!config.model().path().equals(ModelSettings.PATH.defaultValue())) {
            return config;
        }
        FetchableModel real = FetchableModel.DEFAULT;
        try {
            Path file = new NpmModelFetcher(ModelCache.user(), RmbgLocal::say).fetch(real);
            say(
                    "Model: "
                            + real.name()
                            + " ("
                            + real.description()
                            + ", profile "
                            + real.profile()
                            + ") from "
                            + file
                            + ". Weights: xuebinqin/DIS via "
                            + real.npmSpec()
                            + " (AGPL-3.0); see README, Models.");
            realModel = true;
            PipelineConfig.Builder b =
                    config.toBuilder()
                            .set(ConfigKeys.MODEL_PATH, file.toString())
                            .set(ConfigKeys.MODEL_PROFILE, real.profile());
            if ("0".equals(config.get(ConfigKeys.MODEL_INTRA_OP_THREADS))) {
                // Each of the PARALLELISM slots runs its own session: split the cores, do not
                // oversubscribe.
                b.set(
                        ConfigKeys.MODEL_INTRA_OP_THREADS,
                        Integer.toString(
                                Math.max(
                                        1,
                                        Runtime.getRuntime().availableProcessors() / PARALLELISM)));
            }
            return b.build();
        } catch (ModelUnavailableException e) {
            say("The real model is not available: " + e.getMessage());
        }
        Path model = dataDir.resolve("models/colour-key.onnx");
        if (!Files.exists(model)) {
            Files.createDirectories(model.getParent());
            SyntheticModels.writeColourKeyModel(model, 1024);
        }
        say(
                "Model: "
                        + model
                        + " — FALLBACK: a colour-key demo net written by this project (keeps reddish"
                        + " pixels, drops bluish ones), so the demo sends drawings, not photos. Run bin/rmbg models pull "
                        + real.name()
                        + " once npm can reach its registry, or point model.path at a model (see README).");
        return config.toBuilder().set(ConfigKeys.MODEL_PATH, model.toString()).build();
    }

    static Configuration flinkConfiguration(PipelineConfig config, Path dataDir) {
        Configuration conf = RmbgJob.jobConfiguration(config);
        conf.set(RestOptions.PORT, WEB_UI_PORT);
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, PARALLELISM);
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                dataDir.resolve("checkpoints").toUri().toString());
        return conf;
    }

    private KafkaConsumer<byte[], byte[]> tail(PipelineConfig config) {
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                        config.get(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS),
                                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                                        config.get(ConfigKeys.KAFKA_MAX_FETCH_BYTES)),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic :
                List.of(
                        config.get(ConfigKeys.KAFKA_TOPIC_RESULTS),
                        config.get(ConfigKeys.KAFKA_TOPIC_DLQ))) {
            consumer.partitionsFor(topic)
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }

    private void printResults(KafkaConsumer<byte[], byte[]> consumer, Path dataDir) {
        try (consumer) {
            while (true) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    say(
                            r.topic().endsWith("dlq")
                                    ? deadLetterLine(r)
                                    : resultLine(r.value(), dataDir));
                }
            }
        } catch (WakeupException e) {
            // shutting down
        }
    }

    private String resultLine(byte[] value, Path dataDir) {
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

    private static void printEndpoints(PipelineConfig c, Path dataDir, JobClient job) {
        say("");
        say("rmbg-flink is running (job " + job.getJobID() + ")");
        say(
                "  Kafka        "
                        + c.get(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS)
                        + "   topics "
                        + c.get(ConfigKeys.KAFKA_TOPIC_EVENTS)
                        + " → "
                        + c.get(ConfigKeys.KAFKA_TOPIC_RESULTS)
                        + ", dead letters "
                        + c.get(ConfigKeys.KAFKA_TOPIC_DLQ));
        say(
                "  PostgreSQL   "
                        + c.get(ConfigKeys.JDBC_URL)
                        + "   user "
                        + c.get(ConfigKeys.JDBC_USER)
                        + " (table image_process_jobs)");
        say(
                "  S3           "
                        + c.get(ConfigKeys.S3_ENDPOINT)
                        + "   bucket "
                        + c.get(ConfigKeys.S3_BUCKET)
                        + "   files under "
                        + dataDir.resolve("s3").resolve(c.get(ConfigKeys.S3_BUCKET)));
        say("  Flink web UI http://localhost:" + WEB_UI_PORT);
        say(
                "Send events to "
                        + c.get(ConfigKeys.KAFKA_TOPIC_EVENTS)
                        + " (see README); finished jobs print below. Ctrl-C stops.");
        say("");
    }

    private static void usage() {
        say(
                "usage: bin/rmbg local [--demo] [--fresh] [--data-dir DIR] [--config FILE] [--KEY VALUE …]");
        say(
                "  --demo      also send sample photos, print their cut-outs and write a contact sheet");
        say("  --fresh     delete local data (topics, tables, blobs) before starting");
        say("  --data-dir  where servers keep data (default .local-data)");
    }

    static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static void deleteRecursively(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
