package io.rmbg.local;

import org.apache.flink.configuration.Configuration;

import io.rmbg.job.RmbgJob;
import io.rmbg.job.RmbgPipeline;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.testkit.SyntheticModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL silently unreachable (every packet to it dropped, no reset: a network partition, a
 * vanished host) while results arrive. Without socket and statement timeouts the sinks' flushes
 * would wait for ever and the job would hang; with them each attempt fails after {@code
 * jdbc.socket-timeout-ms}, the job restarts a few times at growing intervals, and recovers once
 * packets flow again: every event one completed row, the statistics equal to the rows.
 */
class DatabaseBlackHoleITCase extends PipelineITCaseBase {
    private static final Duration BLACK_HOLE = Duration.ofSeconds(15);

    /** The back-off (1, 2, 4, 8 s) with 4 s socket timeouts per attempt: 2 to 4 expected. */
    private static final int MAX_RESTARTS = 6;

    private static final Duration WAIT = Duration.ofMinutes(3);

    private final CompletedRows events = new CompletedRows();
    private BlackHoleProxy network;

    @Override
    PipelineConfig.Builder settings(Path dataDir) throws Exception {
        Path model = dataDir.resolve("colour-key-320.onnx");
        SyntheticModels.writeColourKeyModel(model, 320);
        return PipelineConfig.builder()
                .set(ConfigKeys.MODEL_PATH, model.toString())
                .set(ConfigKeys.MODEL_PROFILE, "u2net")
                .set(ConfigKeys.MODEL_INTRA_OP_THREADS, 1)
                .set(ConfigKeys.KAFKA_STARTING_OFFSETS, "earliest")
                .set(ConfigKeys.CHECKPOINT_INTERVAL_MS, 1000)
                .set(ConfigKeys.JDBC_MAX_RETRIES, 2)
                .set(ConfigKeys.JDBC_CONNECT_TIMEOUT_MS, 2000)
                .set(ConfigKeys.JDBC_STATEMENT_TIMEOUT_MS, 2000)
                .set(ConfigKeys.JDBC_SOCKET_TIMEOUT_MS, 4000)
                .set(ConfigKeys.JDBC_RECONCILE_STATEMENT_TIMEOUT_MS, 2000)
                .set(ConfigKeys.STATS_UPDATE_INTERVAL_MS, 500)
                .set(ConfigKeys.STATS_RECONCILE_QUIET_MS, 3000);
    }

    @Override
    Configuration jobConfiguration(PipelineConfig config) {
        return RmbgJob.jobConfiguration(config);
    }

    /** The production pipeline, its JDBC sinks reaching PostgreSQL through {@link #network}. */
    @Override
    RmbgPipeline pipeline(PipelineConfig config) {
        try {
            URI direct = URI.create(config.jdbc().url().substring("jdbc:".length()));
            network = BlackHoleProxy.to(direct.getHost(), direct.getPort());
            String url = "jdbc:postgresql://127.0.0.1:" + network.port() + direct.getPath();
            return RmbgJob.pipeline(config.toBuilder().set(ConfigKeys.JDBC_URL, url).build());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    void closeNetwork() throws Exception {
        if (network != null) {
            network.close();
        }
    }

    @Test
    void aBlackHoledDatabaseCostsAFewRestartsNotAHang() throws Exception {
        startJob("rmbg-black-hole");
        events.send(this, 20);
        events.await(db(), WAIT);

        int restarts = rest().failovers();
        network.blackHole();
        events.send(this, 20);
        Thread.sleep(BLACK_HOLE.toMillis());
        network.restore();
        events.await(db(), WAIT);

        assertThat(rest().failovers() - restarts)
                .as("restarts for a %s s black hole", BLACK_HOLE.toSeconds())
                .isBetween(1, MAX_RESTARTS);
        assertThat(CompletedRows.rows(db())).isEqualTo(events.expected());
        db().awaitStatsEqualRecomputation(WAIT);
    }
}
