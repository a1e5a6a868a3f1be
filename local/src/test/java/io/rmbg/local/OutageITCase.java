package io.rmbg.local;

import org.apache.flink.configuration.Configuration;

import io.rmbg.job.RmbgJob;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.testkit.SyntheticModels;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Outages of the real servers while the job runs: the S3 server gone for 20 s, PostgreSQL stopped
 * and restarted, the Kafka broker restarted. The job backs off and recovers; every event still ends
 * as exactly one completed row.
 */
class OutageITCase extends PipelineITCaseBase {
    private static final Duration S3_OUTAGE = Duration.ofSeconds(20);

    private final Map<String, String> expected = new HashMap<>();
    private int sent;

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
                .set(ConfigKeys.JDBC_MAX_RETRIES, 2);
    }

    /** Production's restart strategy: the job restarts until PostgreSQL is back. */
    @Override
    Configuration jobConfiguration(PipelineConfig config) {
        return RmbgJob.jobConfiguration(config);
    }

    @Test
    void theJobRidesOutOutagesOfEveryServer() throws Exception {
        LocalStack stack = stack();
        startJob("rmbg-outages");
        send(40);
        awaitRows(Duration.ofMinutes(2));

        // S3 unreachable for 20 s while images arrive: blob writes wait and retry.
        stack.stopS3();
        send(40);
        Thread.sleep(S3_OUTAGE.toMillis());
        stack.startS3();
        awaitRows(Duration.ofMinutes(2));

        // PostgreSQL stopped: the JDBC sink fails, the job restarts until it is back.
        stack.stopPostgres();
        send(40);
        Thread.sleep(10_000);
        stack.startPostgres();
        awaitRows(Duration.ofMinutes(3));

        // The broker restarted: source and sinks reconnect.
        stack.stopKafka();
        Thread.sleep(3_000);
        stack.startKafka();
        send(40);
        awaitRows(Duration.ofMinutes(3));

        assertThat(rows()).isEqualTo(expected);
    }

    private void send(int n) throws Exception {
        try (EventProducer producer = producer()) {
            for (int i = 0; i < n; i++) {
                // Each image different, so that every job really writes new blobs during an outage.
                byte[] image = SampleImages.png(32 + sent % 50, 32 + sent / 50);
                var event = Events.inline("outage", image);
                producer.send(eventsTopic(), Events.bytes(event));
                expected.put(Events.jobId(event), "completed:null");
                sent++;
            }
        }
    }

    private void awaitRows(Duration timeout) throws Exception {
        Poll.until(
                timeout,
                Duration.ofSeconds(1),
                () -> {
                    try {
                        return rows().size();
                    } catch (SQLException notBackYet) {
                        return -1; // PostgreSQL is still starting
                    }
                },
                seen -> seen >= expected.size(),
                seen -> "saw " + seen + " of " + expected.size() + " rows within " + timeout);
    }

    private Map<String, String> rows() throws Exception {
        return db().map(
                        "SELECT job_id, status || ':' || coalesce(error_code, 'null')"
                                + " || coalesce(' (' || error_message || ')', '') FROM image_process_jobs");
    }
}
