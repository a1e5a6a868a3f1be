package io.rmbg.job.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * There is no Docker engine where the tests run, so {@code docker-compose.yml} is checked by
 * structure: every file it mounts or builds from exists (or is one of the documented build
 * outputs), images are pinned to the versions the build uses, host ports are the contract's, and
 * the TaskManager gets a GPU.
 */
class DockerComposeTest {
    private static final Path ROOT = Path.of("..");
    /** Made by `mvn package` and `bin/rmbg docker-prepare`, not kept in git. */
    private static final List<String> BUILD_OUTPUTS = List.of("./job/target", "./models", "./docker/lib");

    private static JsonNode compose;
    private static JsonNode services;
    private static String pom;

    @BeforeAll
    static void parse() throws Exception {
        compose = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.yml").toFile());
        services = compose.get("services");
        pom = Files.readString(ROOT.resolve("pom.xml"));
    }

    @Test
    void hasTheWholeSystem() {
        assertThat(names(services)).contains("kafka", "kafka-init", "postgres", "minio", "minio-init",
                "jobmanager", "taskmanager", "submit", "sql-client", "prometheus", "grafana");
        for (JsonNode service : services) {
            for (JsonNode dependency : service.path("depends_on")) {
                assertThat(names(services)).contains(dependency.asText());
            }
        }
    }

    @Test
    void everyMountedOrBuiltFileExists() {
        for (Map.Entry<String, JsonNode> service : services.properties()) {
            for (JsonNode volume : service.getValue().path("volumes")) {
                String host = volume.asText().split(":")[0];
                if (!host.startsWith(".")) {
                    assertThat(compose.path("volumes").has(host)).as("named volume %s", host).isTrue();
                    continue;
                }
                if (BUILD_OUTPUTS.contains(host)) {
                    continue;
                }
                assertThat(ROOT.resolve(host)).as("%s mounts %s", service.getKey(), host).exists();
            }
            JsonNode build = service.getValue().path("build");
            if (!build.isMissingNode()) {
                assertThat(ROOT.resolve(build.path("context").asText()).resolve(build.path("dockerfile").asText()))
                        .exists();
            }
            for (JsonNode arg : service.getValue().path("entrypoint")) {
                if (arg.asText().startsWith("/rmbg/docker/")) {
                    assertThat(ROOT.resolve(arg.asText().substring("/rmbg/".length()))).exists();
                }
            }
        }
    }

    @Test
    void imagesArePinnedToTheVersionsTheBuildUses() throws Exception {
        String flink = property("flink.version");
        String kafka = property("kafka.version");
        for (Map.Entry<String, JsonNode> service : services.properties()) {
            String image = service.getValue().path("image").asText();
            assertThat(image).as("image of %s", service.getKey()).contains(":").doesNotEndWith(":latest");
            if (image.startsWith("flink:")) {
                assertThat(image).isEqualTo("flink:" + flink + "-java17");
            }
            if (image.startsWith("apache/kafka:")) {
                assertThat(image).isEqualTo("apache/kafka:" + kafka);
            }
        }
        String dockerfile = Files.readString(ROOT.resolve("docker/taskmanager-gpu.Dockerfile"));
        assertThat(dockerfile).contains("FROM flink:" + flink + "-java17").contains("cudnn")
                .contains("/opt/flink/lib/");
        assertThat(services.at("/jobmanager/environment/ENABLE_BUILT_IN_PLUGINS").asText())
                .isEqualTo("flink-s3-fs-hadoop-" + flink + ".jar");
    }

    @Test
    void hostPortsAreTheContractsLocalPorts() {
        assertThat(ports("kafka")).contains("9092:9092");
        assertThat(ports("postgres")).contains("5432:5432");
        assertThat(ports("minio")).contains("9000:9000");
        assertThat(ports("jobmanager")).contains("8081:8081");
        assertThat(services.at("/postgres/environment/POSTGRES_DB").asText()).isEqualTo("rmbg");
    }

    @Test
    void theTaskManagerGetsAGpuAndRunsOnnxSafely() {
        JsonNode device = services.at("/taskmanager/deploy/resources/reservations/devices/0");
        assertThat(device.path("driver").asText()).isEqualTo("nvidia");
        assertThat(names(device.path("capabilities"))).contains("gpu");
        assertThat(services.at("/taskmanager/environment/ORT_DISABLE_TELEMETRY").asText()).isEqualTo("1");
    }

    private static String property(String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)<").matcher(pom);
        assertThat(m.find()).as("property %s in pom.xml", name).isTrue();
        return m.group(1);
    }

    private static List<String> ports(String service) {
        List<String> out = new ArrayList<>();
        services.path(service).path("ports").forEach(p -> out.add(p.asText()));
        return out;
    }

    private static List<String> names(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isObject()) {
            node.fieldNames().forEachRemaining(out::add);
        } else {
            node.forEach(n -> out.add(n.asText()));
        }
        return out;
    }
}
