package io.rmbg.local;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.StateBackendOptions;

import io.rmbg.job.RmbgJob;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.testkit.SyntheticModels;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Outages of the real servers while the job runs: the S3 server gone for 20 s, the checkpoint store
 * gone for a few checkpoints, PostgreSQL stopped for longer than the sinks' retries, the Kafka
 * broker restarted. The job backs off and recovers; every event still ends as exactly one completed
 * row, the statistics equal the rows, and the outages cost few restarts: none for S3 (the blob
 * store's retries) and the checkpoint store (tolerable checkpoint failures), a handful spaced out
 * by the exponential back-off for PostgreSQL.
 */
class OutageITCase extends PipelineITCaseBase {
    private static final Duration S3_OUTAGE = Duration.ofSeconds(20);

    /**
     * Longer than the JDBC sinks' retries cover (2 here; none help while the database refuses
     * connections), short enough for CI.
     */
    private static final Duration DATABASE_OUTAGE = Duration.ofSeconds(25);

    /**
     * Restarts a 25 s outage may cost: the back-off (1, 2, 4, 8, 16 s, ±10 %) reaches past it after
     * 5, and one more may fall into PostgreSQL's start-up. A fixed 1 s delay would take ~20.
     */
    private static final int MAX_DATABASE_RESTARTS = 7;

    private static final Duration WAIT = Duration.ofMinutes(3);

    private final CompletedRows events = new CompletedRows();

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
                .set(ConfigKeys.STORAGE_RETRY_BUDGET_MS, 60_000)
                .set(ConfigKeys.JDBC_MAX_RETRIES, 2)
                .set(ConfigKeys.STATS_UPDATE_INTERVAL_MS, 500)
                .set(ConfigKeys.STATS_RECONCILE_QUIET_MS, 3000);
    }

    /**
     * Production's restart strategy, and conf/config.yaml's state backend (RocksDB, incremental
     * checkpoints) and checkpoint failure tolerance, with checkpoints in a directory this test can
     * take away.
     */
    @Override
    Configuration jobConfiguration(PipelineConfig config) {
        Configuration cluster =
                GlobalConfiguration.loadConfiguration(Path.of("..", "conf").toString());
        Configuration conf = RmbgJob.jobConfiguration(config);
        conf.set(StateBackendOptions.STATE_BACKEND, cluster.get(StateBackendOptions.STATE_BACKEND));
        conf.set(
                CheckpointingOptions.INCREMENTAL_CHECKPOINTS,
                cluster.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS));
        conf.set(
                CheckpointingOptions.TOLERABLE_FAILURE_NUMBER,
                cluster.get(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER));
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints().toUri().toString());
        return conf;
    }

    @Test
    void theJobRidesOutOutagesOfEveryServer() throws Exception {
        LocalStack stack = stack();
        startJob("rmbg-outages");
        send(40);
        awaitRows();
        assertThat(rest().raw("/jobs/" + rest().jobId() + "/checkpoints/config"))
                .contains("EmbeddedRocksDBStateBackend");

        // S3 unreachable for 20 s while images arrive: blob writes wait and retry, no restart.
        int restarts = rest().failovers();
        stack.stopS3();
        send(40);
        Thread.sleep(S3_OUTAGE.toMillis());
        stack.startS3();
        awaitRows();
        assertThat(rest().failovers()).as("restarts for a 20 s S3 outage").isEqualTo(restarts);

        checkpointStoreAway(stack);
        databaseAwayLongerThanTheRetries(stack);

        // The broker restarted: source and sinks reconnect.
        stack.stopKafka();
        Thread.sleep(3_000);
        stack.startKafka();
        send(40);
        awaitRows();

        assertThat(CompletedRows.rows(db())).isEqualTo(events.expected());
        assertThat(db().count("SELECT count(*) FROM image_process_jobs"))
                .as("one row per event")
                .isEqualTo(events.expected().size());
        db().awaitStatsEqualRecomputation(WAIT);
    }

    /**
     * The checkpoint directory replaced by a file for a few checkpoints: they fail, the job goes on
     * writing rows without a restart, and checkpoints complete again once the store is back.
     */
    private void checkpointStoreAway(LocalStack stack) throws Exception {
        int restarts = rest().failovers();
        FlinkRest.Checkpoints before = rest().checkpoints();
        long rowsBefore = rowCount();
        Path store = checkpoints().resolve(rest().jobId());
        Path away = checkpoints().resolve(rest().jobId() + ".away");
        Files.move(store, away);
        Files.writeString(store, "the checkpoint store is away");
        try {
            send(40);
            Poll.until(
                    Duration.ofSeconds(30),
                    Duration.ofMillis(200),
                    () -> rest().checkpoints(),
                    now -> now.failed() >= before.failed() + 3,
                    now -> "checkpoints did not fail while the store was away: " + now);
            Poll.until(
                    Duration.ofSeconds(30),
                    Duration.ofMillis(200),
                    this::rowCount,
                    rows -> rows > rowsBefore,
                    rows -> "no rows written while the checkpoint store was away");
        } finally {
            Files.delete(store);
            Files.move(away, store);
        }
        FlinkRest.Checkpoints during = rest().checkpoints();
        Poll.until(
                Duration.ofSeconds(60),
                Duration.ofMillis(500),
                () -> rest().checkpoints(),
                now -> now.completed() > during.completed(),
                now -> "no checkpoint completed after the store came back: " + now);
        awaitRows();
        assertThat(rest().failovers())
                .as("restarts for %s failed checkpoints", during.failed() - before.failed())
                .isEqualTo(restarts);
    }

    /**
     * PostgreSQL stopped for longer than the sinks' retries while results arrive: the job fails
     * over, restarts a few times at growing intervals, and recovers once the database is back.
     */
    private void databaseAwayLongerThanTheRetries(LocalStack stack) throws Exception {
        int restarts = rest().failovers();
        stack.stopPostgres();
        send(40);
        Thread.sleep(DATABASE_OUTAGE.toMillis());
        stack.startPostgres();
        awaitRows();
        assertThat(rest().failovers() - restarts)
                .as("restarts for a %s s database outage", DATABASE_OUTAGE.toSeconds())
                .isBetween(1, MAX_DATABASE_RESTARTS);
        db().awaitStatsEqualRecomputation(WAIT);
    }

    private Path checkpoints() {
        return dataDir().resolve("checkpoints");
    }

    private void send(int n) throws Exception {
        events.send(this, n);
    }

    private void awaitRows() throws Exception {
        events.await(db(), WAIT);
    }

    private long rowCount() throws Exception {
        return db().count("SELECT count(*) FROM image_process_jobs");
    }
}
