package io.rmbg.local;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) in this JVM. Its log
 * directory persists: the storage is formatted only the first time, so topics and offsets survive a
 * restart.
 */
public final class EmbeddedKafka implements AutoCloseable {
    /**
     * Large enough for an 8 MiB inline image after base64 (a third more) plus the JSON around it.
     */
    public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    private final KafkaRaftServer server;
    private final String bootstrapServers;

    private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
    }

    public static EmbeddedKafka start(Path logDir, String host, int port, int controllerPort)
            throws Exception {
        Files.createDirectories(logDir);
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@" + host + ":" + controllerPort);
        p.put(
                "listeners",
                "PLAINTEXT://"
                        + host
                        + ":"
                        + port
                        + ",CONTROLLER://"
                        + host
                        + ":"
                        + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + host + ":" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toAbsolutePath().toString());
        p.put("num.partitions", "2");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("message.max.bytes", Integer.toString(MAX_MESSAGE_BYTES));
        p.put("replica.fetch.max.bytes", Integer.toString(MAX_MESSAGE_BYTES));
        p.put("auto.create.topics.enable", "false");
        p.put("log.retention.hours", "168");
        KafkaConfig config = KafkaConfig.fromProps(p);

        if (!Files.exists(logDir.resolve("meta.properties"))) {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(1)
                    .setClusterId(Uuid.randomUuid().toString())
                    .addDirectory(logDir.toAbsolutePath().toString())
                    .setMetadataLogDirectory(logDir.toAbsolutePath().toString())
                    .setControllerListenerName("CONTROLLER")
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
        }
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        return new EmbeddedKafka(server, host + ":" + port);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
