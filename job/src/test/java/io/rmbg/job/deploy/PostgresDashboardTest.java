package io.rmbg.job.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The PostgreSQL side of monitoring, checked by structure as {@link GrafanaDashboardTest} checks
 * Flink's: postgres-exporter runs with the pg_monitor role only, Prometheus scrapes it, and every
 * query of {@code docker/grafana/dashboards/rmbg-postgres.json} names a series the exporter exports
 * with labels it carries, counters under {@code rate()}.
 *
 * <p>{@link #EXPORTED} is the part of postgres-exporter v0.17's output the dashboard may use, as
 * its sources define it: {@code collector/pg_stat_database.go}, {@code
 * collector/pg_stat_user_tables.go} (sizes from pg_table_size / pg_indexes_size), the built-in
 * {@code pg_stat_activity} query of {@code cmd/postgres_exporter/queries.go} and {@code
 * pg_settings}. Prometheus adds {@code job} and {@code instance}.
 */
class PostgresDashboardTest {
    private static final Path ROOT = Path.of("..");
    private static final Path DASHBOARD =
            ROOT.resolve("docker/grafana/dashboards/rmbg-postgres.json");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private enum Kind {
        GAUGE,
        COUNTER
    }

    private record Series(Kind kind, Set<String> labels) {
        static Series of(Kind kind, String... labels) {
            Set<String> all = new TreeSet<>(Set.of("job", "instance"));
            all.addAll(List.of(labels));
            return new Series(kind, all);
        }
    }

    private static final Map<String, Series> EXPORTED =
            Map.ofEntries(
                    Map.entry(
                            "pg_stat_database_numbackends",
                            Series.of(Kind.GAUGE, "datid", "datname")),
                    Map.entry(
                            "pg_stat_database_blks_hit",
                            Series.of(Kind.COUNTER, "datid", "datname")),
                    Map.entry(
                            "pg_stat_database_blks_read",
                            Series.of(Kind.COUNTER, "datid", "datname")),
                    Map.entry("pg_stat_activity_count", Series.of(Kind.GAUGE, "datname", "state")),
                    Map.entry(
                            "pg_stat_activity_max_tx_duration",
                            Series.of(Kind.GAUGE, "datname", "state")),
                    Map.entry("pg_settings_max_connections", Series.of(Kind.GAUGE)),
                    Map.entry(
                            "pg_stat_user_tables_table_size_bytes",
                            Series.of(Kind.GAUGE, "datname", "schemaname", "relname")),
                    Map.entry(
                            "pg_stat_user_tables_index_size_bytes",
                            Series.of(Kind.GAUGE, "datname", "schemaname", "relname")),
                    Map.entry(
                            "pg_stat_user_tables_n_live_tup",
                            Series.of(Kind.GAUGE, "datname", "schemaname", "relname")),
                    Map.entry(
                            "pg_stat_user_tables_n_dead_tup",
                            Series.of(Kind.GAUGE, "datname", "schemaname", "relname")));

    private static final Pattern SERIES = Pattern.compile("\\b(pg_[a-z0-9_]+)(\\{([^}]*)})?");
    private static final Pattern MATCHER =
            Pattern.compile("(\\w+)\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"");

    private static JsonNode services;
    private static JsonNode dashboard;

    @BeforeAll
    static void parse() throws Exception {
        services = YAML.readTree(ROOT.resolve("docker-compose.yml").toFile()).get("services");
        dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    }

    @Test
    void theExporterReadsStatisticsWithTheMonitoringRoleOnly() throws Exception {
        JsonNode exporter = services.path("postgres-exporter");
        assertThat(exporter.path("image").asText())
                .matches("prometheuscommunity/postgres-exporter:v\\d+\\.\\d+\\.\\d+");
        assertThat(texts(exporter.path("depends_on"))).contains("postgres");
        assertThat(exporter.has("ports")).as("only Prometheus reads the exporter").isFalse();
        JsonNode env = exporter.path("environment");
        assertThat(env.path("DATA_SOURCE_URI").asText()).startsWith("postgres:5432/rmbg");
        JsonNode postgres = services.at("/postgres/environment");
        String user = env.path("DATA_SOURCE_USER").asText();
        assertThat(user)
                .isEqualTo(postgres.path("RMBG_MONITOR_JDBC_USER").asText())
                .isNotEqualTo(postgres.path("POSTGRES_USER").asText())
                .isNotEqualTo(postgres.path("RMBG_JDBC_USER").asText())
                .isNotEqualTo(postgres.path("RMBG_RESULTS_JDBC_USER").asText());
        assertThat(env.path("DATA_SOURCE_PASS").asText())
                .isEqualTo(postgres.path("RMBG_MONITOR_JDBC_PASSWORD").asText());
        assertThat(texts(services.at("/postgres/volumes")))
                .contains(
                        "./docker/postgres-monitor-role.sh:/docker-entrypoint-initdb.d/04-monitor-role.sh:ro");
        String role = Files.readString(ROOT.resolve("docker/postgres-monitor-role.sh"));
        List<String> grants =
                role.substring(role.indexOf("<<'SQL'"))
                        .lines()
                        .filter(l -> l.startsWith("GRANT"))
                        .toList();
        assertThat(grants)
                .containsExactly("GRANT pg_monitor TO :\"monitor_user\";")
                .doesNotContain("GRANT SELECT");
        assertThat(role).contains("NOSUPERUSER").contains("default_transaction_read_only = on");
    }

    @Test
    void prometheusScrapesTheExporter() throws Exception {
        JsonNode scrape = YAML.readTree(ROOT.resolve("docker/prometheus.yml").toFile());
        List<String> targets = new ArrayList<>();
        for (JsonNode job : scrape.path("scrape_configs")) {
            job.at("/static_configs/0/targets").forEach(t -> targets.add(t.asText()));
        }
        assertThat(targets).contains("postgres-exporter:9187");
        assertThat(texts(services.at("/prometheus/depends_on"))).contains("postgres-exporter");
        // Grafana's provider loads every dashboard of the directory the Flink one is in.
        assertThat(DASHBOARD.getParent())
                .isEqualTo(ROOT.resolve("docker/grafana/dashboards"))
                .isDirectory();
    }

    @Test
    void theDashboardIsWellFormedAndOnTheSameDataSource() throws Exception {
        String uid =
                YAML.readTree(
                                ROOT.resolve(
                                                "docker/grafana/provisioning/datasources/prometheus.yaml")
                                        .toFile())
                        .at("/datasources/0/uid")
                        .asText();
        assertThat(dashboard.path("uid").asText())
                .isNotBlank()
                .isNotEqualTo(
                        new ObjectMapper()
                                .readTree(
                                        ROOT.resolve("docker/grafana/dashboards/rmbg-flink.json")
                                                .toFile())
                                .path("uid")
                                .asText());
        assertThat(dashboard.path("id").isMissingNode() || dashboard.path("id").isNull()).isTrue();
        Set<Integer> ids = new HashSet<>();
        List<int[]> cells = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            String title = panel.path("title").asText();
            assertThat(ids.add(panel.path("id").asInt())).as("unique id of %s", title).isTrue();
            JsonNode pos = panel.path("gridPos");
            int[] cell = {
                pos.path("x").asInt(),
                pos.path("y").asInt(),
                pos.path("w").asInt(),
                pos.path("h").asInt()
            };
            assertThat(cell[0] + cell[2]).as("right edge of %s", title).isLessThanOrEqualTo(24);
            for (int[] other : cells) {
                boolean overlap =
                        cell[0] < other[0] + other[2]
                                && other[0] < cell[0] + cell[2]
                                && cell[1] < other[1] + other[3]
                                && other[1] < cell[1] + cell[3];
                assertThat(overlap).as("%s overlaps another panel", title).isFalse();
            }
            cells.add(cell);
            if ("row".equals(panel.path("type").asText())) {
                continue;
            }
            assertThat(panel.path("type").asText()).isIn("timeseries", "stat");
            assertThat(panel.at("/datasource/uid").asText()).as(title).isEqualTo(uid);
            assertThat(panel.path("targets")).as(title).isNotEmpty();
            for (JsonNode t : panel.path("targets")) {
                assertThat(t.at("/datasource/uid").asText()).as(title).isEqualTo(uid);
            }
        }
    }

    @Test
    void everyQueryNamesASeriesTheExporterExports() {
        for (JsonNode panel : queryPanels()) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                String where = panel.path("title").asText() + ": " + expr;
                Set<String> labels = new TreeSet<>();
                Matcher series = SERIES.matcher(expr);
                int found = 0;
                while (series.find()) {
                    found++;
                    Series s = EXPORTED.get(series.group(1));
                    assertThat(s).as("%s: %s is not exported", where, series.group(1)).isNotNull();
                    labels.addAll(s.labels());
                    Matcher m = MATCHER.matcher(series.group(3) == null ? "" : series.group(3));
                    while (m.find()) {
                        assertThat(s.labels()).as("%s: label", where).contains(m.group(1));
                    }
                    if (s.kind() == Kind.COUNTER) {
                        assertThat(expr.substring(0, series.start()))
                                .as("%s: %s is a counter", where, series.group(1))
                                .containsPattern("(rate|increase)\\(\\s*$");
                    }
                }
                assertThat(found).as("%s names no pg_ series", where).isPositive();
                DashboardLabels.assertKnown(
                        where, expr, target.path("legendFormat").asText(), labels);
            }
        }
    }

    @Test
    void theDashboardShowsWhatBinRmbgStatusPrints() {
        StringBuilder all = new StringBuilder();
        queryPanels()
                .forEach(
                        p ->
                                p.path("targets")
                                        .forEach(
                                                t ->
                                                        all.append(t.path("expr").asText())
                                                                .append('\n')));
        assertThat(all.toString())
                .contains("pg_stat_database_numbackends") // connections
                .contains("pg_stat_database_blks_hit") // cache hit ratio
                .contains("pg_stat_activity_max_tx_duration") // longest query
                .contains("pg_stat_user_tables_table_size_bytes")
                .contains("pg_stat_user_tables_index_size_bytes")
                .contains("pg_stat_user_tables_n_dead_tup") // bloat estimate
                .contains("relname=~\"image_process_jobs_.+\""); // partitions
    }

    private static List<JsonNode> queryPanels() {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            if (!"row".equals(p.path("type").asText())) {
                out.add(p);
            }
        }
        assertThat(out).isNotEmpty();
        return out;
    }

    private static List<String> texts(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.forEach(n -> out.add(n.asText()));
        return out;
    }
}
