package io.rmbg.local;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A real Flink standalone session cluster: a JobManager and a TaskManager, each in its own JVM
 * started from Flink's own entry points (what {@code bin/start-cluster.sh} runs), configured from
 * the project's {@code conf/config.yaml}. Jobs are submitted through the REST API as {@code flink
 * run} and the web UI do.
 *
 * <p>The cluster's classpath is Flink plus ONNX Runtime (its {@code lib/}), and nothing the job jar
 * must carry itself: connectors, drivers, the AWS SDK and Jackson are left out, so a shading
 * mistake fails here as it would on a real cluster.
 */
final class StandaloneFlinkCluster implements AutoCloseable {
    /** Classpath entries the job jar must bring: never on the cluster's own classpath. */
    private static final List<String> USER_JAR_ONLY =
            List.of(
                    "/io/rmbg/",
                    "/target/classes",
                    "/target/test-classes",
                    "/flink-connector-kafka/",
                    "/flink-connector-jdbc-",
                    "/flink-connector-base/",
                    "/org/apache/kafka/",
                    "/org/postgresql/",
                    "/software/amazon/",
                    "/com/fasterxml/jackson/",
                    "/org/scala-lang/",
                    "/org/gaul/",
                    "/io/zonky/",
                    "/tools/jackson/");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Process> processes = new ArrayList<>();
    private final Path dir;
    private final int restPort;

    private StandaloneFlinkCluster(Path dir, int restPort) {
        this.dir = dir;
        this.restPort = restPort;
    }

    static StandaloneFlinkCluster start(Path dir, Path projectConf, int slots) throws Exception {
        int restPort = LocalStack.freePortIfZero(0);
        Path conf = Files.createDirectories(dir.resolve("conf"));
        writeConfig(projectConf, conf, dir, restPort, slots);
        Files.copy(projectConf.resolve("log4j2.properties"), conf.resolve("log4j2.properties"));
        Path argFile = dir.resolve("java.args");
        Files.writeString(argFile, "-cp\n\"" + clusterClasspath() + "\"\n");

        StandaloneFlinkCluster cluster = new StandaloneFlinkCluster(dir, restPort);
        try {
            cluster.launch(
                    "jobmanager",
                    "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                    List.of("-Xmx512m"),
                    List.of(),
                    argFile,
                    conf);
            // What bin/taskmanager.sh derives with BashJavaUtils: JVM sizes and the memory layout.
            TaskExecutorProcessSpec spec =
                    TaskExecutorProcessUtils.processSpecFromConfig(
                            GlobalConfiguration.loadConfiguration(conf.toString()));
            cluster.launch(
                    "taskmanager",
                    "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                    words(ProcessMemoryUtils.generateJvmParametersStr(spec)),
                    words(TaskExecutorProcessUtils.generateDynamicConfigsStr(spec)),
                    argFile,
                    conf);
            cluster.awaitSlots(slots, Duration.ofMinutes(2));
            return cluster;
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
    }

    /**
     * The project's config.yaml, with what differs on one test machine: ports, sizes, file paths.
     */
    private static void writeConfig(Path projectConf, Path conf, Path dir, int restPort, int slots)
            throws IOException {
        Configuration c = GlobalConfiguration.loadConfiguration(projectConf.toString());
        Map<String, String> flat = new java.util.TreeMap<>(c.toMap());
        flat.keySet()
                .removeIf(
                        k -> k.startsWith("external-resource") || k.startsWith("metrics.reporter"));
        flat.put("jobmanager.rpc.address", "localhost");
        flat.put("jobmanager.rpc.port", Integer.toString(LocalStack.freePortIfZero(0)));
        flat.put("jobmanager.bind-host", "localhost");
        flat.put("taskmanager.host", "localhost");
        flat.put("taskmanager.bind-host", "localhost");
        flat.put("rest.address", "localhost");
        flat.put("rest.bind-address", "localhost");
        flat.put("rest.port", Integer.toString(restPort));
        flat.put("jobmanager.memory.process.size", "768m");
        flat.put("taskmanager.memory.process.size", "2048m");
        flat.put("taskmanager.memory.task.off-heap.size", "512m");
        flat.put("taskmanager.numberOfTaskSlots", Integer.toString(slots));
        flat.put("parallelism.default", Integer.toString(slots));
        flat.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
        flat.put(
                "execution.checkpointing.savepoint-dir",
                dir.resolve("savepoints").toUri().toString());
        flat.put("web.tmpdir", dir.resolve("web").toString());
        flat.put("io.tmp.dirs", dir.resolve("tmp").toString());
        Files.createDirectories(dir.resolve("tmp"));
        String yaml =
                flat.entrySet().stream()
                        .map(e -> e.getKey() + ": '" + e.getValue().replace("'", "''") + "'")
                        .collect(Collectors.joining("\n", "", "\n"));
        Files.writeString(conf.resolve("config.yaml"), yaml);
    }

    private static String clusterClasspath() {
        String testClasspath =
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.stream(testClasspath.split(File.pathSeparator))
                .filter(entry -> entry.endsWith(".jar"))
                .filter(entry -> USER_JAR_ONLY.stream().noneMatch(entry::contains))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static List<String> words(String s) {
        return Arrays.stream(s.trim().split("\\s+")).filter(w -> !w.isEmpty()).toList();
    }

    private void launch(
            String name,
            String mainClass,
            List<String> jvmArgs,
            List<String> dynamicProperties,
            Path argFile,
            Path conf)
            throws IOException {
        Path log = dir.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.addAll(
                List.of(
                        "-Dlog.file=" + log,
                        "-Dlog4j.configurationFile=" + conf.resolve("log4j2.properties").toUri(),
                        "--add-opens=java.base/java.util=ALL-UNNAMED",
                        "--add-opens=java.base/java.lang=ALL-UNNAMED",
                        "@" + argFile,
                        mainClass,
                        "--configDir",
                        conf.toString()));
        command.addAll(dynamicProperties);
        ProcessBuilder pb =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve(name + ".out").toFile());
        pb.environment().put("ORT_DISABLE_TELEMETRY", "1");
        processes.add(pb.start());
    }

    String restUrl() {
        return "http://localhost:" + restPort;
    }

    Path logDir() {
        return dir;
    }

    private void awaitSlots(int slots, Duration timeout) throws Exception {
        Poll.until(
                timeout,
                Duration.ofMillis(500),
                () -> {
                    for (Process p : processes) {
                        if (!p.isAlive()) {
                            throw new IllegalStateException(
                                    "a Flink process exited with "
                                            + p.exitValue()
                                            + "; see the logs in "
                                            + dir);
                        }
                    }
                    try {
                        return get("/overview").path("slots-available").asInt();
                    } catch (IOException notUpYet) {
                        return 0; // REST endpoint not listening yet
                    }
                },
                available -> available >= slots,
                available ->
                        "the cluster did not offer "
                                + slots
                                + " slots in "
                                + timeout
                                + "; see the logs in "
                                + dir);
    }

    /** Uploads the jar and runs it, as {@code flink run} does; returns the job id. */
    String submit(Path jobJar, List<String> programArgs, int parallelism) throws Exception {
        String boundary = "rmbg-" + UUID.randomUUID();
        byte[] head =
                ("--"
                                + boundary
                                + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                                + jobJar.getFileName()
                                + "\"\r\nContent-Type: application/java-archive\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        HttpRequest upload =
                HttpRequest.newBuilder(URI.create(restUrl() + "/jars/upload"))
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(
                                HttpRequest.BodyPublishers.concat(
                                        HttpRequest.BodyPublishers.ofByteArray(head),
                                        HttpRequest.BodyPublishers.ofFile(jobJar),
                                        HttpRequest.BodyPublishers.ofByteArray(tail)))
                        .build();
        JsonNode uploaded = send(upload);
        String fileName = uploaded.path("filename").asText();
        String jarId = fileName.substring(fileName.lastIndexOf('/') + 1);

        var body = JSON.createObjectNode();
        body.put("parallelism", parallelism);
        var args = body.putArray("programArgsList");
        programArgs.forEach(args::add);
        JsonNode run =
                send(
                        HttpRequest.newBuilder(URI.create(restUrl() + "/jars/" + jarId + "/run"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                                .build());
        return run.path("jobid").asText();
    }

    String jobState(String jobId) throws Exception {
        return get("/jobs/" + jobId).path("state").asText();
    }

    void cancel(String jobId) throws Exception {
        http.send(
                HttpRequest.newBuilder(URI.create(restUrl() + "/jobs/" + jobId + "?mode=cancel"))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    JsonNode get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(restUrl() + path)).build());
    }

    private JsonNode send(HttpRequest request) throws Exception {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IOException(
                    request.method()
                            + " "
                            + request.uri()
                            + " → "
                            + r.statusCode()
                            + ": "
                            + r.body());
        }
        return JSON.readTree(r.body());
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
