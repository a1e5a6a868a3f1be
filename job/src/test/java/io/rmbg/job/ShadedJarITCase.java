package io.rmbg.job;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jar users hand to {@code flink run}: what it must carry, and what must stay out of it (Flink
 * itself, ONNX Runtime, the embedded test servers). Runs after {@code package}.
 */
class ShadedJarITCase {
    private static JarFile jar;
    private static List<String> entries;

    @BeforeAll
    static void open() throws IOException {
        Path shaded;
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            shaded =
                    files.filter(p -> p.getFileName().toString().endsWith("-flink.jar"))
                            .findFirst()
                            .orElseThrow(
                                    () ->
                                            new AssertionError(
                                                    "no *-flink.jar in job/target: run mvn package"));
        }
        jar = new JarFile(shaded.toFile());
        entries = Collections.list(jar.entries()).stream().map(e -> e.getName()).toList();
    }

    @Test
    void startsTheJob() throws IOException {
        assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                .isEqualTo(RmbgJob.class.getName());
    }

    @Test
    void carriesTheEngineConnectorsAndDriver() {
        assertThat(entries)
                .contains(
                        "io/rmbg/job/RmbgJob.class",
                        "io/rmbg/job/functions/BackgroundRemovalFunction.class",
                        "io/rmbg/core/process/BackgroundRemover.class",
                        "org/apache/flink/connector/kafka/source/KafkaSource.class",
                        "org/apache/flink/connector/kafka/sink/KafkaSink.class",
                        "org/apache/flink/connector/jdbc/core/datastream/sink/JdbcSink.class",
                        "org/apache/flink/connector/jdbc/postgres/database/PostgresFactory.class",
                        "org/apache/flink/connector/base/DeliveryGuarantee.class",
                        "org/postgresql/Driver.class",
                        "software/amazon/awssdk/services/s3/S3Client.class",
                        "com/fasterxml/jackson/databind/ObjectMapper.class");
    }

    @Test
    void mergesServiceFilesSoThatFactoriesAreFound() throws IOException {
        assertThat(service("org.apache.flink.connector.jdbc.core.database.JdbcFactory"))
                .contains("org.apache.flink.connector.jdbc.postgres.database.PostgresFactory");
        assertThat(service("java.sql.Driver")).contains("org.postgresql.Driver");
        assertThat(service("software.amazon.awssdk.http.SdkHttpService"))
                .contains("software.amazon.awssdk.http.urlconnection.UrlConnectionSdkHttpService");
        assertThat(service("org.apache.flink.table.factories.Factory"))
                .contains(
                        "org.apache.flink.streaming.connectors.kafka.table.KafkaDynamicTableFactory")
                .contains("org.apache.flink.connector.jdbc.core.table.JdbcDynamicTableFactory");
    }

    @Test
    void leavesOutWhatTheClusterProvides() {
        assertThat(entries)
                .noneMatch(e -> e.startsWith("org/apache/flink/streaming/api/environment/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/runtime/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/api/common/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/configuration/"))
                // ONNX Runtime belongs in Flink's lib/: JNI must load in the parent classloader.
                .noneMatch(e -> e.startsWith("ai/onnxruntime/"))
                .noneMatch(
                        e ->
                                e.startsWith("org/slf4j/")
                                        || e.startsWith("org/apache/logging/log4j/"));
    }

    @Test
    void leavesOutTheEmbeddedServersAndSignatures() {
        assertThat(entries)
                .noneMatch(e -> e.startsWith("org/gaul/"))
                .noneMatch(e -> e.startsWith("io/zonky/"))
                .noneMatch(e -> e.startsWith("kafka/server/"))
                .noneMatch(e -> e.startsWith("scala/"))
                .noneMatch(e -> e.startsWith("io/rmbg/local/"))
                .noneMatch(e -> e.matches("META-INF/[^/]+\\.(SF|DSA|RSA|EC)"));
    }

    @Test
    void leavesOutTheTestTooling() {
        // UdfJarITCase checks the udf jar (what the SQL client loads) the same way.
        assertThat(entries)
                .noneMatch(e -> e.startsWith("io/rmbg/testkit/"))
                .noneMatch(e -> e.contains("InMemoryBlobStore") || e.contains("GatedBlobStore"))
                .noneMatch(e -> e.contains("SyntheticModels") || e.contains("OnnxModelWriter"));
    }

    private static String service(String name) throws IOException {
        var entry = jar.getJarEntry("META-INF/services/" + name);
        assertThat(entry).as("service file for %s", name).isNotNull();
        return new String(jar.getInputStream(entry).readAllBytes(), UTF_8);
    }
}
