package io.rmbg.local;

import org.apache.flink.connector.jdbc.datasource.connections.SimpleJdbcConnectionProvider;

import io.rmbg.core.records.BlobRef;
import io.rmbg.core.records.JobResult;
import io.rmbg.core.records.JobStatus;
import io.rmbg.job.RmbgJob;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.job.sinks.JobRowStatement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The JDBC sinks' connections ({@link RmbgJob#jdbcConnection}, opened by the connector's own
 * connection provider, as the sinks open them) on a real PostgreSQL: a statement stuck behind
 * another transaction's lock fails after {@code jdbc.statement-timeout-ms}, and a connection into a
 * network black hole fails after {@code jdbc.socket-timeout-ms}, instead of waiting for ever.
 */
class JdbcTimeoutsITCase {
    private static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(3);

    /** Generous for a loaded CI machine; "for ever" is what it guards against. */
    private static final Duration SLACK = Duration.ofSeconds(10);

    @TempDir static Path dir;
    private static LocalPostgres pg;

    @BeforeAll
    static void start() throws Exception {
        pg = LocalPostgres.start(dir.resolve("pg"), 0, "rmbg", "rmbg", LocalStack.schemaSql());
    }

    @AfterAll
    static void stop() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void anUpsertBehindAnotherTransactionsLockFailsAfterTheStatementTimeout() throws Exception {
        try (Connection holder = StackQueries.of(pg).connect();
                Statement lock = holder.createStatement()) {
            holder.setAutoCommit(false);
            lock.execute("LOCK TABLE image_process_jobs IN ACCESS EXCLUSIVE MODE");

            SimpleJdbcConnectionProvider sink = sinkConnection(pg.jdbcUrl());
            try (PreparedStatement upsert =
                    sink.getOrEstablishConnection().prepareStatement(JobRowStatement.SQL)) {
                new JobRowStatement().accept(upsert, completed(UUID.randomUUID().toString()));
                upsert.addBatch();
                long start = System.nanoTime();
                assertThatThrownBy(upsert::executeBatch)
                        .isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(cancelled((SQLException) e)).isTrue());
                assertThat(Duration.ofNanos(System.nanoTime() - start))
                        .isGreaterThanOrEqualTo(STATEMENT_TIMEOUT.minusMillis(100))
                        .isLessThan(STATEMENT_TIMEOUT.plus(SLACK));
            } finally {
                sink.closeConnection();
            }
            holder.rollback();
        }
    }

    @Test
    void aBlackHoledConnectionFailsAfterTheSocketTimeout() throws Exception {
        try (BlackHoleProxy proxy = BlackHoleProxy.to("127.0.0.1", pg.port())) {
            String url =
                    "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + LocalPostgres.DATABASE;
            SimpleJdbcConnectionProvider sink = sinkConnection(url);
            try (Statement s = sink.getOrEstablishConnection().createStatement()) {
                assertThat(s.execute("SELECT 1")).isTrue();

                proxy.blackHole();
                long start = System.nanoTime();
                assertThatThrownBy(() -> s.execute("SELECT 1")).isInstanceOf(SQLException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - start))
                        .isGreaterThanOrEqualTo(SOCKET_TIMEOUT.minusMillis(100))
                        .isLessThan(SOCKET_TIMEOUT.plus(SLACK));
            }

            // Reconnecting (the sink's retry) into the black hole: the login waits as long.
            long start = System.nanoTime();
            assertThatThrownBy(sink::reestablishConnection).isInstanceOf(SQLException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isLessThan(SOCKET_TIMEOUT.plus(SLACK));

            proxy.restore();
            try (Statement s = sink.reestablishConnection().createStatement()) {
                assertThat(s.execute("SELECT 1")).isTrue();
            } finally {
                sink.closeConnection();
            }
        }
    }

    /** The connection the JDBC sinks open for {@code url}, with this test's short timeouts. */
    private static SimpleJdbcConnectionProvider sinkConnection(String url) {
        PipelineConfig config =
                PipelineConfig.builder()
                        .set(ConfigKeys.JDBC_URL, url)
                        .set(ConfigKeys.JDBC_STATEMENT_TIMEOUT_MS, STATEMENT_TIMEOUT.toMillis())
                        .set(ConfigKeys.JDBC_SOCKET_TIMEOUT_MS, SOCKET_TIMEOUT.toMillis())
                        .set(ConfigKeys.JDBC_CONNECT_TIMEOUT_MS, 2_000)
                        .build();
        return new SimpleJdbcConnectionProvider(RmbgJob.jdbcConnection(config.jdbc()));
    }

    /** PostgreSQL's "canceling statement due to statement timeout" (query_canceled). */
    private static boolean cancelled(SQLException e) {
        for (SQLException s = e; s != null; s = s.getNextException()) {
            if ("57014".equals(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static JobResult completed(String job) {
        BlobRef blob = new BlobRef("s3://rmbg/original/ab.png", "ab", 2048, 10, 10, "image/png");
        return JobResult.builder(job, "user", JobStatus.COMPLETED)
                .original(blob)
                .mask(blob)
                .processed(blob)
                .size(10, 10)
                .fileSizeKb(2)
                .params(null, new String[0])
                .times(1_700_000_000_000L, 1_700_000_000_500L, 500)
                .model("rmbg-2.0", "abc")
                .build();
    }
}
