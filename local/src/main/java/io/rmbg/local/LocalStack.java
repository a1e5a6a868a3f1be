package io.rmbg.local;

import io.rmbg.core.blob.S3BlobStore;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.ops.PartitionMigration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

/**
 * Kafka, PostgreSQL and an S3 server on this machine, with the topics, bucket and schema the
 * pipeline expects (docs/contracts.md §8). {@link #config()} points the pipeline at them.
 */
public final class LocalStack implements AutoCloseable {
    public static final int EVENTS_PARTITIONS = 2;

    private final Options options;
    private final PipelineConfig base;
    private final PipelineConfig config;
    private EmbeddedKafka kafka;
    private LocalPostgres postgres;
    private LocalS3 s3;

    private LocalStack(Options o, PipelineConfig base) throws Exception {
        this.options = o;
        this.base = base;
        try {
            startKafka();
            startPostgres();
            startS3();
            config =
                    base.toBuilder()
                            .set(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS, kafka.bootstrapServers())
                            .set(ConfigKeys.JDBC_URL, postgres.jdbcUrl())
                            .set(ConfigKeys.S3_ENDPOINT, s3.endpoint())
                            .set(ConfigKeys.S3_PATH_STYLE, "true")
                            .build();
            createTopics();
            createBucket();
        } catch (Exception e) {
            closeAll();
            throw e;
        }
    }

    // Each server can be stopped and started again on its port and data (outage tests).

    public void startKafka() throws Exception {
        kafka =
                EmbeddedKafka.start(
                        options.dataDir.resolve("kafka"),
                        "127.0.0.1",
                        options.kafkaPort,
                        options.controllerPort);
    }

    public void stopKafka() {
        close(kafka);
        kafka = null;
    }

    public void startPostgres() throws Exception {
        postgres =
                LocalPostgres.start(
                        options.dataDir.resolve("postgres"),
                        options.postgresPort,
                        base.jdbc().user(),
                        base.jdbc().password(),
                        schemaSql());
        // Data kept from a version before time partitions: no job runs yet, so the one-time
        // migration (bin/rmbg maintain --partition --apply on a cluster) is safe to run here.
        try (Connection db =
                DriverManager.getConnection(
                        postgres.jdbcUrl(), base.jdbc().user(), base.jdbc().password())) {
            PartitionMigration.migrateIfUnpartitioned(db, System.out, Instant.now());
        }
    }

    public void stopPostgres() {
        close(postgres);
        postgres = null;
    }

    public void startS3() throws Exception {
        s3 =
                LocalS3.start(
                        options.dataDir.resolve("s3"),
                        "127.0.0.1",
                        options.s3Port,
                        base.get(ConfigKeys.S3_ACCESS_KEY),
                        base.get(ConfigKeys.S3_SECRET_KEY));
    }

    public void stopS3() {
        close(s3);
        s3 = null;
    }

    /** Starts every server; ports of 0 are chosen free (for tests). */
    public static LocalStack start(Options options, PipelineConfig base) throws Exception {
        Options o = options.withFreePorts();
        return new LocalStack(o, base);
    }

    public PipelineConfig config() {
        return config;
    }

    public String kafkaBootstrapServers() {
        return config.kafka().bootstrapServers();
    }

    public String jdbcUrl() {
        return config.jdbc().url();
    }

    public String s3Endpoint() {
        return config.get(ConfigKeys.S3_ENDPOINT);
    }

    public Admin kafkaAdmin() {
        return Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrapServers()));
    }

    private void createTopics() throws Exception {
        String maxBytes = Integer.toString(EmbeddedKafka.MAX_MESSAGE_BYTES);
        List<NewTopic> topics =
                List.of(
                        new NewTopic(config.kafka().eventsTopic(), EVENTS_PARTITIONS, (short) 1)
                                .configs(Map.of("max.message.bytes", maxBytes)),
                        new NewTopic(config.kafka().resultsTopic(), EVENTS_PARTITIONS, (short) 1),
                        new NewTopic(config.kafka().deadLetterTopic(), 1, (short) 1)
                                .configs(Map.of("max.message.bytes", maxBytes)));
        try (Admin admin = kafkaAdmin()) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing =
                    topics.stream().filter(t -> !existing.contains(t.name())).toList();
            try {
                admin.createTopics(missing).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
    }

    private void createBucket() {
        try (S3BlobStore store = new S3BlobStore(config.s3())) {
            String bucket = config.s3().bucket();
            boolean exists =
                    store.client().listBuckets().buckets().stream()
                            .anyMatch(b -> b.name().equals(bucket));
            if (!exists) {
                try {
                    store.client().createBucket(b -> b.bucket(bucket));
                } catch (BucketAlreadyOwnedByYouException | BucketAlreadyExistsException ignored) {
                    // created concurrently: fine
                }
            }
        }
    }

    /** The schema from {@code sql/schema.sql}, packaged as a resource of this module. */
    public static String schemaSql() throws IOException {
        try (InputStream in = LocalStack.class.getResourceAsStream("/sql/schema.sql")) {
            if (in == null) {
                throw new IllegalStateException(
                        "sql/schema.sql is missing from the classpath; rebuild with mvn install");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        closeAll();
    }

    private void closeAll() {
        stopS3();
        stopPostgres();
        stopKafka();
    }

    private static void close(AutoCloseable server) {
        if (server == null) {
            return;
        }
        try {
            server.close();
        } catch (Exception e) {
            System.err.println("Could not stop " + server.getClass().getSimpleName() + ": " + e);
        }
    }

    static int freePortIfZero(int port) throws IOException {
        if (port != 0) {
            return port;
        }
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    /** Where the stack keeps its data and which ports it binds. */
    public record Options(
            Path dataDir, int kafkaPort, int controllerPort, int postgresPort, int s3Port) {
        /** The contract's local ports (docs/contracts.md §8). */
        public static Options defaults(Path dataDir) {
            return new Options(dataDir, 9092, 9093, 5432, 9000);
        }

        /** Free ports for every server: for tests running beside a local stack. */
        public static Options ephemeral(Path dataDir) {
            return new Options(dataDir, 0, 0, 0, 0);
        }

        /**
         * Picks the zero ports while holding each picked one open, so that no two servers get the
         * same port (closing each socket at once let the system hand a port out twice: Kafka's
         * controller and PostgreSQL once shared one, and PostgreSQL's start-up then waited on Kafka
         * for ever).
         */
        Options withFreePorts() throws IOException {
            List<ServerSocket> held = new ArrayList<>();
            try {
                return new Options(
                        dataDir,
                        pick(kafkaPort, held),
                        pick(controllerPort, held),
                        pick(postgresPort, held),
                        pick(s3Port, held));
            } finally {
                for (ServerSocket socket : held) {
                    socket.close();
                }
            }
        }

        private static int pick(int port, List<ServerSocket> held) throws IOException {
            if (port != 0) {
                return port;
            }
            ServerSocket socket = new ServerSocket(0);
            held.add(socket);
            return socket.getLocalPort();
        }
    }
}
