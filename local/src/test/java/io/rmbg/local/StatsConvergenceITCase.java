package io.rmbg.local;

import org.apache.flink.streaming.api.functions.async.ResultFuture;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.JobResult;
import io.rmbg.job.RmbgJob;
import io.rmbg.job.RmbgPipeline;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.job.functions.BackgroundRemovalFunction;
import io.rmbg.testkit.SyntheticModels;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.rmbg.local.Events.JSON;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * README "Daily statistics": every day's {@code processing_stats} and {@code
 * processing_error_stats} converge to the recomputation from {@code image_process_jobs}, in every
 * column, whatever the delay of a job: (a) jobs dated weeks ago, yesterday and today sent after the
 * watermark followed the wall clock; (c) a job dated next year, after which today keeps updating;
 * (b) a failover whose replayed attempts end differently from the first ones (another status,
 * another time), after which row, last trace and statistics agree on the replayed attempt.
 */
class StatsConvergenceITCase extends PipelineITCaseBase {
    private static final String FLIP = "flip";
    private static final String POISON = "poison";

    /** Jobs of user "flip" whose first attempt already ended (as a STORAGE failure). */
    private static final Set<String> FLIPPED = ConcurrentHashMap.newKeySet();

    private static final AtomicBoolean POISONED = new AtomicBoolean();

    @Override
    PipelineConfig.Builder settings(Path dataDir) throws Exception {
        Path model = dataDir.resolve("colour-key-320.onnx");
        SyntheticModels.writeColourKeyModel(model, 320);
        return PipelineConfig.builder()
                .set(ConfigKeys.MODEL_PATH, model.toString())
                .set(ConfigKeys.MODEL_PROFILE, "u2net")
                .set(ConfigKeys.MODEL_INTRA_OP_THREADS, 1)
                .set(ConfigKeys.KAFKA_STARTING_OFFSETS, "earliest")
                // No checkpoint during the test: the failover starts the job's state afresh, and
                // every record is replayed.
                .set(ConfigKeys.CHECKPOINT_INTERVAL_MS, Duration.ofMinutes(30).toMillis())
                .set(ConfigKeys.STATS_UPDATE_INTERVAL_MS, 500)
                .set(ConfigKeys.STATS_QUIET_PERIOD_MS, 2000)
                .set(ConfigKeys.STATS_RECONCILE_QUIET_MS, 3000);
    }

    /** The production pipeline with {@link FlipOnFirstAttempt} as its background removal. */
    @Override
    RmbgPipeline pipeline(PipelineConfig config) {
        return RmbgJob.pipeline(config)
                .withBackgroundRemoval(
                        c -> new FlipOnFirstAttempt(RmbgPipeline.backgroundRemoval(c)));
    }

    @Test
    void everyDayConvergesToTheRecomputation() throws Exception {
        startJob("rmbg-stats-convergence");
        Instant now = Instant.now();
        List<String> sent = new ArrayList<>();
        sent.add(send("u", now));
        db().awaitTerminalRows(sent, Duration.ofMinutes(2));
        Thread.sleep(3_000); // past the quiet period: the watermark now follows the wall clock

        // (a) A back-fill and stragglers: weeks ago (beyond the allowed lateness), yesterday,
        // today.
        Instant weeksAgo = now.minus(Duration.ofDays(35));
        Instant yesterday = now.minus(Duration.ofDays(1));
        sent.add(send("u", weeksAgo));
        sent.add(send("u", weeksAgo.plusSeconds(60)));
        sent.add(sendInvalid("u", weeksAgo));
        sent.add(send("u", yesterday));
        sent.add(sendInvalid("u", yesterday));
        sent.add(send("u", now));
        db().awaitTerminalRows(sent, Duration.ofMinutes(2));
        db().awaitStatsEqualRecomputation(Duration.ofMinutes(1));
        assertThat(days()).contains(day(weeksAgo), day(yesterday), day(now));

        // (c) A job dated next year counts today, and today keeps updating after it.
        long todayBefore = totalOn(day(now));
        sent.add(send("u", now.plus(Duration.ofDays(365))));
        sent.add(send("u", now));
        db().awaitTerminalRows(sent, Duration.ofMinutes(2));
        db().awaitStatsEqualRecomputation(Duration.ofMinutes(1));
        assertThat(totalOn(day(now))).isEqualTo(todayBefore + 2);
        assertThat(days()).doesNotContain(day(now.plus(Duration.ofDays(365))));

        // (b) First attempts fail as STORAGE and are counted; a failover replays every record
        // and the replayed attempts complete, in other times.
        List<String> flips =
                List.of(
                        send(FLIP, now),
                        send(FLIP, now),
                        send(FLIP, yesterday),
                        send(FLIP, weeksAgo));
        sent.addAll(flips);
        db().awaitTerminalRows(sent, Duration.ofMinutes(2));
        db().awaitStatsEqualRecomputation(Duration.ofMinutes(1));
        assertThat(
                        db().rows(
                                        "SELECT count(*) FROM processing_error_stats WHERE error_code = 'STORAGE'"))
                .containsExactly(List.of("3"));
        sent.add(send(POISON, now));
        db().awaitCompleted(flips, Duration.ofMinutes(3));
        db().awaitTerminalRows(sent, Duration.ofMinutes(2));
        db().awaitStatsEqualRecomputation(Duration.ofMinutes(1));
        assertThat(
                        db().rows(
                                        "SELECT count(*) FROM processing_error_stats WHERE error_code = 'STORAGE'"))
                .as("codes of first attempts are gone")
                .containsExactly(List.of("0"));
        checkRowsHoldTheLastTracedAttempt(sent);
        FlinkRest rest = rest();
        assertThat(
                        rest.get("/jobs/" + rest.jobId() + "/exceptions")
                                .path("exceptionHistory")
                                .path("entries"))
                .as("the injected failover happened")
                .isNotEmpty();
    }

    /**
     * The production function, except that a "flip" job's first attempt fails as STORAGE (as when
     * the store is briefly unreachable) and the first "poison" event fails the task.
     */
    static final class FlipOnFirstAttempt extends BackgroundRemovalFunction {
        private static final long serialVersionUID = 1L;

        FlipOnFirstAttempt(BackgroundRemovalFunction template) {
            super(template);
        }

        @Override
        public void asyncInvoke(ImageEvent event, ResultFuture<JobResult> resultFuture) {
            if (POISON.equals(event.userId()) && POISONED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected task failure");
            }
            if (FLIP.equals(event.userId()) && FLIPPED.add(event.jobId())) {
                resultFuture.complete(
                        List.of(
                                JobResult.failed(
                                        event,
                                        ErrorCode.STORAGE,
                                        "injected: the store was unreachable on the first attempt",
                                        System.currentTimeMillis())));
                return;
            }
            super.asyncInvoke(event, resultFuture);
        }
    }

    private String send(String user, Instant createdAt) throws Exception {
        return send(Events.inline(user, SampleImages.png(96, 64)), createdAt);
    }

    /** An event that fails validation (a failed row, INVALID_EVENT). */
    private String sendInvalid(String user, Instant createdAt) throws Exception {
        return send(Events.event(user).put("image_base64", "!!!"), createdAt);
    }

    private String send(ObjectNode event, Instant createdAt) throws Exception {
        event.put("created_at", createdAt.toString());
        send(Events.bytes(event));
        return Events.jobId(event);
    }

    private void checkRowsHoldTheLastTracedAttempt(List<String> jobIds) throws Exception {
        Map<String, String> lastTrace = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : traces(jobIds.size())) {
            var trace = JSON.readTree(r.value());
            lastTrace.put(
                    new String(r.key(), UTF_8),
                    trace.get("status").asText() + ":" + trace.get("processing_time_ms").asLong());
        }
        Map<String, String> rowAttempts = new HashMap<>();
        for (List<String> r :
                db().rows(
                                "SELECT job_id, status || ':' || processing_time_ms FROM image_process_jobs")) {
            rowAttempts.put(r.get(0), r.get(1));
        }
        assertThat(rowAttempts).isEqualTo(lastTrace);
        assertThat(rowAttempts).hasSize(jobIds.size());
    }

    private long totalOn(LocalDate day) throws Exception {
        List<List<String>> r =
                db().rows(
                                "SELECT total_jobs FROM processing_stats WHERE stat_date = '"
                                        + day
                                        + "'");
        return r.isEmpty() ? 0 : Long.parseLong(r.get(0).get(0));
    }

    private List<LocalDate> days() throws Exception {
        return db().rows("SELECT stat_date FROM processing_stats").stream()
                .map(r -> LocalDate.parse(r.get(0)))
                .toList();
    }

    private static LocalDate day(Instant t) {
        return t.atZone(ZoneOffset.UTC).toLocalDate();
    }
}
