package io.rmbg.job.deploy;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.metrics.KafkaSourceReaderMetrics;
import org.apache.flink.events.EventBuilder;
import org.apache.flink.metrics.CharacterFilter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.checkpoint.DefaultCheckpointStatsTracker;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.metrics.MetricNames;
import org.apache.flink.runtime.metrics.MetricRegistry;
import org.apache.flink.runtime.metrics.groups.AbstractMetricGroup;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.InternalSourceReaderMetricGroup;
import org.apache.flink.runtime.metrics.groups.JobManagerJobMetricGroup;
import org.apache.flink.runtime.metrics.groups.JobManagerMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskManagerJobMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.scope.ScopeFormats;
import org.apache.flink.runtime.metrics.util.MetricUtils;
import org.apache.flink.traces.SpanBuilder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Grafana in {@code docker-compose.yml} is checked by structure, as {@link DockerComposeTest}
 * checks the rest: the service mounts the provisioning files where Grafana reads them, the data
 * source is the compose Prometheus that scrapes Flink's reporter, and every query on the dashboard
 * names a series that reporter really exports, with labels it really carries.
 *
 * <p>The series names are not guessed. {@link PrometheusNames} registers the job's own metrics
 * (found in the source) and Flink's TaskManager status, checkpoint and Kafka source metrics on real
 * Flink metric groups, and names each one as Flink's {@code AbstractPrometheusReporter} does.
 */
class GrafanaDashboardTest {
    private static final Path ROOT = Path.of("..");
    private static final Path DATASOURCES =
            ROOT.resolve("docker/grafana/provisioning/datasources/prometheus.yaml");
    private static final Path PROVIDERS =
            ROOT.resolve("docker/grafana/provisioning/dashboards/rmbg-flink.yaml");
    private static final Path DASHBOARD = ROOT.resolve("docker/grafana/dashboards/rmbg-flink.json");

    /** docs/contracts.md §6: the operator metrics users may rely on. */
    private static final Set<String> CONTRACT_METRICS =
            Set.of(
                    "imagesReceived",
                    "imagesCompleted",
                    "imagesFailed",
                    "inferenceLatencyMs",
                    "inferenceBatchSize",
                    "endToEndLatencyMs",
                    "modelLoadMs",
                    "inferenceQueueDepth");

    /** The quantiles the reporter exports for a histogram, in every Flink 2.x version. */
    private static final Set<String> QUANTILES =
            Set.of("0.5", "0.75", "0.95", "0.98", "0.99", "0.999");

    private static final Set<String> PANEL_TYPES = Set.of("timeseries", "stat");

    private static final Pattern REGISTRATION =
            Pattern.compile("\\.(counter|gauge|histogram)\\(\\s*\"(\\w+)\"");
    private static final Pattern SERIES = Pattern.compile("(flink_[A-Za-z0-9_:]+)(\\{([^}]*)})?");
    private static final Pattern MATCHER =
            Pattern.compile("(\\w+)\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static JsonNode services;
    private static JsonNode grafana;
    private static JsonNode datasource;
    private static JsonNode provider;
    private static JsonNode dashboard;
    private static Map<String, String> jobMetrics;
    private static PrometheusNames exported;

    @BeforeAll
    static void parse() throws Exception {
        services = YAML.readTree(ROOT.resolve("docker-compose.yml").toFile()).get("services");
        grafana = services.path("grafana");
        JsonNode datasources = YAML.readTree(DATASOURCES.toFile());
        assertThat(datasources.path("apiVersion").asInt()).isEqualTo(1);
        assertThat(datasources.path("datasources")).hasSize(1);
        datasource = datasources.path("datasources").get(0);
        JsonNode providers = YAML.readTree(PROVIDERS.toFile());
        assertThat(providers.path("apiVersion").asInt()).isEqualTo(1);
        assertThat(providers.path("providers")).hasSize(1);
        provider = providers.path("providers").get(0);
        dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        jobMetrics = jobMetrics();
        exported = PrometheusNames.ofTheCluster(jobMetrics);
    }

    @Test
    void grafanaServesTheProvisionedFiles() {
        assertThat(grafana.isObject()).as("service grafana in docker-compose.yml").isTrue();
        assertThat(grafana.path("image").asText()).matches("grafana/grafana:\\d+\\.\\d+\\.\\d+");
        assertThat(texts(grafana.path("ports"))).contains("127.0.0.1:3000:3000");
        assertThat(texts(grafana.path("depends_on"))).contains("prometheus");
        JsonNode env = grafana.path("environment");
        assertThat(env.path("GF_AUTH_ANONYMOUS_ENABLED").asText()).isEqualTo("true");
        assertThat(env.path("GF_AUTH_ANONYMOUS_ORG_ROLE").asText()).isEqualTo("Viewer");
        assertThat(env.path("GF_SECURITY_ADMIN_PASSWORD").asText())
                .startsWith("${RMBG_GRAFANA_PASSWORD:-");

        // Grafana reads provisioning files from fixed directories in the image.
        assertThat(hostPath("/etc/grafana/provisioning/datasources/" + DATASOURCES.getFileName()))
                .isEqualTo(DATASOURCES.normalize());
        assertThat(hostPath("/etc/grafana/provisioning/dashboards/" + PROVIDERS.getFileName()))
                .isEqualTo(PROVIDERS.normalize());
        assertThat(provider.path("type").asText()).isEqualTo("file");
        assertThat(hostPath(provider.at("/options/path").asText() + "/" + DASHBOARD.getFileName()))
                .isEqualTo(DASHBOARD.normalize());
        assertThat(hostPath(env.path("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH").asText()))
                .isEqualTo(DASHBOARD.normalize());
    }

    @Test
    void theDataSourceIsThePrometheusThatScrapesFlink() throws IOException {
        assertThat(datasource.path("type").asText()).isEqualTo("prometheus");
        assertThat(datasource.path("access").asText()).isEqualTo("proxy");
        assertThat(datasource.path("uid").asText()).isNotBlank();
        assertThat(datasource.path("isDefault").asBoolean()).isTrue();

        URI url = URI.create(datasource.path("url").asText());
        JsonNode prometheus = services.path(url.getHost());
        assertThat(prometheus.path("image").asText())
                .as("the data source's host is a compose service")
                .startsWith("prom/prometheus:");
        assertThat(texts(prometheus.path("ports")))
                .as("Prometheus listens on the data source's port")
                .anyMatch(p -> p.endsWith(":" + url.getPort()));

        // The chain: Flink's reporter port -> Prometheus' targets -> the data source's step.
        JsonNode scrape = YAML.readTree(ROOT.resolve("docker/prometheus.yml").toFile());
        assertThat(datasource.at("/jsonData/timeInterval").asText())
                .isEqualTo(scrape.at("/global/scrape_interval").asText());
        String reporterPort =
                YAML.readTree(ROOT.resolve("conf/config.yaml").toFile())
                        .at("/metrics/reporter/prom/port")
                        .asText();
        JsonNode flink = scrape.at("/scrape_configs/0");
        assertThat(texts(flink.at("/static_configs/0/targets")))
                .containsExactly("jobmanager:" + reporterPort);
        assertThat(texts(flink.at("/dns_sd_configs/0/names"))).containsExactly("taskmanager");
        assertThat(flink.at("/dns_sd_configs/0/type").asText()).isEqualTo("A");
        assertThat(flink.at("/dns_sd_configs/0/port").asText()).isEqualTo(reporterPort);
        assertThat(services.has("jobmanager") && services.has("taskmanager")).isTrue();
    }

    @Test
    void theDashboardIsWellFormed() {
        assertThat(dashboard.path("uid").asText()).isNotBlank();
        assertThat(dashboard.path("title").asText()).isNotBlank();
        assertThat(dashboard.path("id").isMissingNode() || dashboard.path("id").isNull())
                .as("a provisioned dashboard has no database id")
                .isTrue();
        List<JsonNode> panels = panels();
        assertThat(panels).isNotEmpty();
        Set<Integer> ids = new HashSet<>();
        List<int[]> cells = new ArrayList<>();
        for (JsonNode panel : allPanels()) {
            String title = panel.path("title").asText();
            assertThat(ids.add(panel.path("id").asInt())).as("unique id of %s", title).isTrue();
            JsonNode pos = panel.path("gridPos");
            int[] cell = {
                pos.path("x").asInt(),
                pos.path("y").asInt(),
                pos.path("w").asInt(),
                pos.path("h").asInt()
            };
            assertThat(cell[2]).as("width of %s", title).isPositive();
            assertThat(cell[0] + cell[2]).as("right edge of %s", title).isLessThanOrEqualTo(24);
            for (int[] other : cells) {
                assertThat(overlap(cell, other)).as("%s overlaps another panel", title).isFalse();
            }
            cells.add(cell);
        }
        String uid = datasource.path("uid").asText();
        for (JsonNode panel : panels) {
            String title = panel.path("title").asText();
            assertThat(title).isNotBlank();
            assertThat(panel.path("type").asText()).as("type of %s", title).isIn(PANEL_TYPES);
            assertThat(panel.at("/datasource/uid").asText())
                    .as("data source of %s", title)
                    .isEqualTo(uid);
            assertThat(panel.path("targets")).as("queries of %s", title).isNotEmpty();
            Set<String> refIds = new HashSet<>();
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.at("/datasource/uid").asText())
                        .as("data source of a query in %s", title)
                        .isEqualTo(uid);
                assertThat(refIds.add(target.path("refId").asText()))
                        .as("unique refId in %s", title)
                        .isTrue();
                assertThat(target.path("expr").asText()).as("query in %s", title).isNotBlank();
            }
        }
    }

    @Test
    void everyQueryNamesASeriesTheReporterExports() {
        for (JsonNode panel : panels()) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                String where = panel.path("title").asText() + ": " + expr;
                Set<String> labels = new TreeSet<>();
                Matcher series = SERIES.matcher(expr);
                int found = 0;
                while (series.find()) {
                    found++;
                    String name = series.group(1);
                    PrometheusNames.Series exportedSeries = exported.series.get(name);
                    assertThat(exportedSeries)
                            .as("%s: no such series; similar: %s", where, exported.like(name))
                            .isNotNull();
                    labels.addAll(exportedSeries.labels());
                    Map<String, String> matchers = matchers(series.group(3));
                    assertThat(exportedSeries.labels())
                            .as("%s: labels of %s", where, name)
                            .containsAll(matchers.keySet());
                    switch (exportedSeries.kind()) {
                        case COUNTER ->
                                assertThat(expr.substring(0, series.start()))
                                        .as(
                                                "%s: %s is a counter, so rate() or increase()",
                                                where, name)
                                        .containsPattern("(rate|increase)\\(\\s*$");
                        case SUMMARY ->
                                assertThat(matchers.get("quantile"))
                                        .as("%s: %s is a summary, so pick a quantile", where, name)
                                        .isIn(QUANTILES);
                        case GAUGE -> {}
                    }
                }
                assertThat(found).as("%s: names no flink_ series", where).isPositive();
                DashboardLabels.assertKnown(
                        where, expr, target.path("legendFormat").asText(), labels);
            }
        }
    }

    @Test
    void theDashboardChartsEveryMetricTheJobRegisters() {
        assertThat(jobMetrics.keySet())
                .as("metrics registered in job/")
                .containsAll(CONTRACT_METRICS)
                .contains("duplicateResults", "lateJobs");
        StringBuilder queries = new StringBuilder();
        panels().forEach(
                        p ->
                                p.path("targets")
                                        .forEach(
                                                t ->
                                                        queries.append(t.path("expr").asText())
                                                                .append('\n')));
        for (String metric : jobMetrics.keySet()) {
            assertThat(queries.toString())
                    .as("a panel charts %s", metric)
                    .containsPattern(Pattern.quote(PrometheusNames.OPERATOR + metric) + "\\b");
        }
    }

    /**
     * Metric name to kind (counter, gauge, histogram) for every metric the job's code registers.
     */
    private static Map<String, String> jobMetrics() throws IOException {
        Map<String, String> found = new TreeMap<>();
        for (String module : List.of("core", "job")) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    Matcher m = REGISTRATION.matcher(Files.readString(file));
                    while (m.find()) {
                        found.put(m.group(2), m.group(1));
                    }
                }
            }
        }
        return found;
    }

    /**
     * The repository file that the grafana service sees at {@code containerPath}, through its
     * mounts.
     */
    private static Path hostPath(String containerPath) {
        for (String volume : texts(grafana.path("volumes"))) {
            String[] parts = volume.split(":");
            String mounted = parts[1];
            if (containerPath.equals(mounted)) {
                return ROOT.resolve(parts[0]).normalize();
            }
            if (containerPath.startsWith(mounted + "/")) {
                return ROOT.resolve(parts[0])
                        .resolve(containerPath.substring(mounted.length() + 1))
                        .normalize();
            }
        }
        throw new AssertionError("grafana mounts nothing at " + containerPath);
    }

    private static Map<String, String> matchers(String selector) {
        Map<String, String> out = new TreeMap<>();
        if (selector != null) {
            Matcher m = MATCHER.matcher(selector);
            while (m.find()) {
                out.put(m.group(1), m.group(3));
            }
        }
        return out;
    }

    /** Panels that query, wherever they sit (collapsed rows keep theirs inside). */
    private static List<JsonNode> panels() {
        return allPanels().stream().filter(p -> !"row".equals(p.path("type").asText())).toList();
    }

    private static List<JsonNode> allPanels() {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            out.add(panel);
            panel.path("panels").forEach(out::add);
        }
        return out;
    }

    private static boolean overlap(int[] a, int[] b) {
        return a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
    }

    private static List<String> texts(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.forEach(n -> out.add(n.asText()));
        return out;
    }

    /**
     * What Flink's Prometheus reporter exports for the metrics registered on groups built on this
     * registry, named as {@code AbstractPrometheusReporter} names them: {@code flink_}, the group's
     * logical scope joined with '_', '_', the metric name, with every character outside {@code
     * [a-zA-Z0-9:_]} replaced by '_'. Labels are the group's variables without their angle
     * brackets, plus the {@code job} and {@code instance} Prometheus adds. A counter is exported as
     * a gauge of its count; a histogram as a summary (a {@code quantile} label) and a {@code
     * _count}.
     */
    private static final class PrometheusNames implements MetricRegistry {
        static final String OPERATOR = "flink_taskmanager_job_task_operator_";
        private static final CharacterFilter FILTER = s -> s.replaceAll("[^a-zA-Z0-9:_]", "_");

        enum Kind {
            COUNTER,
            GAUGE,
            SUMMARY
        }

        record Series(Kind kind, Set<String> labels) {}

        final Map<String, Series> series = new TreeMap<>();

        /**
         * Everything a TaskManager running the job and the JobManager export, as far as the
         * dashboard needs.
         */
        static PrometheusNames ofTheCluster(Map<String, String> jobMetrics) throws Exception {
            PrometheusNames names = new PrometheusNames();
            // As a TaskManager builds its group, Status.JVM.* (heap, direct memory, CPU) included.
            TaskManagerMetricGroup taskManager =
                    MetricUtils.instantiateTaskManagerMetricGroup(
                                    names, "taskmanager", ResourceID.generate(), Optional.empty())
                            .f0;
            TaskManagerJobMetricGroup job =
                    taskManager.addJob(JobID.generate(), "rmbg-flink: background removal");

            InternalOperatorMetricGroup operator =
                    job.addTask(ExecutionAttemptID.randomId(), "Remove background")
                            .getOrAddOperator("Remove background (ONNX)");
            jobMetrics.forEach(
                    (name, kind) -> {
                        switch (kind) {
                            case "counter" -> operator.counter(name);
                            case "gauge" -> operator.gauge(name, () -> 0L);
                            case "histogram" ->
                                    operator.histogram(
                                            name, new DescriptiveStatisticsHistogram(16));
                            default -> throw new IllegalArgumentException(kind);
                        }
                    });

            // The Kafka source as its reader registers itself: pendingRecords, and the consumer's
            // own
            // metrics (register.consumer.metrics defaults to true) under
            // KafkaSourceReader.KafkaConsumer.
            InternalSourceReaderMetricGroup reader =
                    InternalSourceReaderMetricGroup.wrap(
                            job.addTask(ExecutionAttemptID.randomId(), "Source: Image events")
                                    .getOrAddOperator("Image events"));
            reader.setPendingRecordsGauge(() -> 0L);
            Properties consumer = new Properties();
            consumer.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
            consumer.setProperty(
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                    ByteArrayDeserializer.class.getName());
            consumer.setProperty(
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                    ByteArrayDeserializer.class.getName());
            try (KafkaConsumer<byte[], byte[]> kafka = new KafkaConsumer<>(consumer)) {
                new KafkaSourceReaderMetrics(reader).registerKafkaConsumerMetrics(kafka);
            }

            JobManagerJobMetricGroup jobManagerJob =
                    JobManagerMetricGroup.createJobManagerMetricGroup(names, "jobmanager")
                            .addJob(JobID.generate(), "rmbg-flink: background removal");
            new DefaultCheckpointStatsTracker(10, jobManagerJob);
            jobManagerJob.gauge(
                    MetricNames.NUM_RESTARTS, () -> 0L); // as the scheduler registers it
            return names;
        }

        @Override
        public void register(Metric metric, String name, AbstractMetricGroup<?> group) {
            String scoped =
                    "flink_"
                            + group.getLogicalScope(FILTER, '_')
                            + "_"
                            + FILTER.filterCharacters(name);
            Set<String> labels = new TreeSet<>(Set.of("job", "instance"));
            group.getAllVariables()
                    .keySet()
                    .forEach(
                            v ->
                                    labels.add(
                                            FILTER.filterCharacters(
                                                    v.substring(1, v.length() - 1))));
            if (metric instanceof Histogram) {
                Set<String> withQuantile = new TreeSet<>(labels);
                withQuantile.add("quantile");
                series.put(scoped, new Series(Kind.SUMMARY, withQuantile));
                series.put(scoped + "_count", new Series(Kind.COUNTER, labels));
            } else {
                series.put(
                        scoped,
                        new Series(metric instanceof Counter ? Kind.COUNTER : Kind.GAUGE, labels));
            }
        }

        /**
         * Exported names whose last word starts as that of {@code name} does, for a readable
         * failure.
         */
        List<String> like(String name) {
            String tail = name.substring(name.lastIndexOf('_') + 1);
            int length = Math.min(4, tail.length());
            return series.keySet().stream()
                    .filter(s -> s.regionMatches(true, s.lastIndexOf('_') + 1, tail, 0, length))
                    .toList();
        }

        @Override
        public char getDelimiter() {
            return '.';
        }

        @Override
        public int getNumberReporters() {
            return 0;
        }

        @Override
        public void unregister(Metric metric, String name, AbstractMetricGroup<?> group) {}

        @Override
        public ScopeFormats getScopeFormats() {
            return ScopeFormats.fromConfig(new Configuration());
        }

        @Override
        public void addSpan(SpanBuilder spanBuilder, AbstractMetricGroup<?> group) {}

        @Override
        public void addEvent(EventBuilder eventBuilder, AbstractMetricGroup<?> group) {}
    }
}
