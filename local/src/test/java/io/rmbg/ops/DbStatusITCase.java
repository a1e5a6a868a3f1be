package io.rmbg.ops;

import io.rmbg.local.LocalPostgres;
import io.rmbg.local.LocalStack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The monitoring figures of {@code bin/rmbg status}, read from a real PostgreSQL. */
class DbStatusITCase {
    @TempDir static Path dir;
    private static LocalPostgres pg;

    @BeforeAll
    static void start() throws Exception {
        pg = LocalPostgres.start(dir.resolve("pg"), 0, "rmbg", "rmbg", LocalStack.schemaSql());
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            s.execute(
                    "INSERT INTO processing_stats (stat_date, total_jobs)"
                            + " SELECT d::date, 1 FROM generate_series(DATE '2020-01-01',"
                            + " DATE '2020-01-01' + 99, interval '1 day') d");
            s.execute(
                    "DELETE FROM processing_stats WHERE total_jobs = 1 AND stat_date < DATE '2020-02-20'");
            // A partitioned table with rows (image_process_jobs' partitions are empty here).
            s.execute(
                    "CREATE TABLE probe_events (at DATE NOT NULL, v TEXT) PARTITION BY RANGE (at)");
            s.execute(
                    "CREATE TABLE probe_events_2026_01 PARTITION OF probe_events"
                            + " FOR VALUES FROM ('2026-01-01') TO ('2026-02-01')");
            s.execute(
                    "CREATE TABLE probe_events_2026_02 PARTITION OF probe_events"
                            + " FOR VALUES FROM ('2026-02-01') TO ('2026-03-01')");
            s.execute(
                    "INSERT INTO probe_events SELECT DATE '2026-01-01' + (i % 50), repeat('x', 200)"
                            + " FROM generate_series(1, 1000) i");
            s.execute("SELECT pg_stat_force_next_flush()");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void everyFigureComesBackWithNumbers() throws Exception {
        CompletableFuture<Void> slow =
                CompletableFuture.runAsync(
                        () -> {
                            try (Connection c = connect();
                                    Statement s = c.createStatement()) {
                                s.execute("SELECT pg_sleep(3) /* the slow one */");
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
        Thread.sleep(1200);
        DbStatus.Report r;
        try (Connection c = connect()) {
            r = DbStatus.read(c);
        }
        slow.get(10, TimeUnit.SECONDS);

        assertThat(r.server()).startsWith("17");
        assertThat(r.databaseBytes()).isPositive();
        assertThat(r.connections().total()).isGreaterThanOrEqualTo(2);
        assertThat(r.connections().active()).isGreaterThanOrEqualTo(1);
        assertThat(r.connections().max()).isEqualTo(100);
        assertThat(r.cacheHitRatio()).isBetween(0.01, 1.0);
        assertThat(r.longest()).isNotNull();
        assertThat(r.longest().query()).contains("pg_sleep(3)");
        assertThat(r.longest().seconds()).isBetween(1.0, 10.0);

        Map<String, DbStatus.TableSize> tables =
                r.tables().stream()
                        .collect(
                                java.util.stream.Collectors.toMap(
                                        DbStatus.TableSize::name, t -> t));
        assertThat(tables)
                .containsKeys(
                        "image_process_jobs",
                        "image_tags",
                        "tags",
                        "processing_stats",
                        "result_reuse",
                        "probe_events");
        assertThat(tables.get("image_process_jobs").indexBytes())
                .as("eight indexes, empty but allocated")
                .isPositive();
        DbStatus.TableSize stats = tables.get("processing_stats");
        assertThat(stats.tableBytes()).isPositive();
        assertThat(stats.liveRows()).isEqualTo(50);
        assertThat(stats.deadRows()).isEqualTo(50);
        assertThat(stats.deadShare()).isEqualTo(0.5);
        assertThat(tables.get("probe_events").liveRows()).isEqualTo(1000);
        assertThat(tables.get("probe_events").tableBytes()).isGreaterThan(100_000);

        List<DbStatus.PartitionSize> probe =
                r.partitions().stream().filter(p -> p.parent().equals("probe_events")).toList();
        assertThat(probe)
                .extracting(DbStatus.PartitionSize::name)
                .containsExactly("probe_events_2026_01", "probe_events_2026_02");
        assertThat(probe.get(0).bounds()).contains("2026-01-01").contains("2026-02-01");
        assertThat(probe.get(0).totalBytes()).isGreaterThan(100_000);
        assertThat(probe.get(1).totalBytes()).isLessThan(probe.get(0).totalBytes());
        YearMonth month = YearMonth.now(ZoneOffset.UTC);
        assertThat(r.partitions())
                .filteredOn(p -> p.parent().equals("image_process_jobs"))
                .extracting(DbStatus.PartitionSize::name)
                .contains(
                        "image_process_jobs_default",
                        String.format(
                                "image_process_jobs_%04d_%02d",
                                month.getYear(), month.getMonthValue()));
    }

    @Test
    void theCommandPrintsThem() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int rc =
                new OpsCommand(new PrintStream(bytes, true, StandardCharsets.UTF_8))
                        .run(
                                new String[] {"status", "--jdbc.url", pg.jdbcUrl()},
                                Map.of("RMBG_JDBC_USER", "rmbg", "RMBG_JDBC_PASSWORD", "rmbg"));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(rc).as(out).isZero();
        assertThat(out)
                .containsPattern("PostgreSQL 17\\.\\d+, database \\d+\\.\\d MiB")
                .containsPattern("Connections: \\d+ active, \\d+ open of max_connections 100")
                .containsPattern("Cache hit ratio: [01]\\.\\d{4}")
                .contains("Longest running query:")
                .containsPattern("image_process_jobs +\\d")
                .containsPattern(
                        "probe_events_2026_01 +FOR VALUES|probe_events +probe_events_2026_01");
    }

    @Test
    void anUnreachableDatabaseSaysWhatToDo() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int rc =
                new OpsCommand(new PrintStream(bytes, true, StandardCharsets.UTF_8))
                        .run(
                                new String[] {
                                    "status", "--jdbc.url", "jdbc:postgresql://127.0.0.1:1/rmbg"
                                },
                                Map.of());
        assertThat(rc).isEqualTo(1);
        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .contains("Is bin/rmbg local running (or RMBG_JDBC_URL set)?");
    }

    private static Connection connect() throws Exception {
        return DriverManager.getConnection(pg.jdbcUrl(), "rmbg", "rmbg");
    }
}
