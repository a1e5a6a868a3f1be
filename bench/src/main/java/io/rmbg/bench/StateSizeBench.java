package io.rmbg.bench;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.checkpoint.TaskStateStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import io.rmbg.core.records.SourceRecord;
import io.rmbg.job.PipelineSinks;
import io.rmbg.job.RmbgJob;
import io.rmbg.job.RmbgPipeline;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * How large the job's state grows with traffic, measured: {@code --jobs} synthetic events run
 * through the real topology ({@link RmbgPipeline}: parse, claim job ids, first result per job, the
 * day windows and their reconciliation; the model replaced by {@link SyntheticRemoval}, the sinks
 * by discarding ones) on a MiniCluster with the production state backend (embedded RocksDB,
 * incremental checkpoints on the file system, checkpoints every 10 s). Once every job has passed,
 * the source goes quiet and it prints the state size of an incremental and of a full checkpoint,
 * per operator, and the bytes uploaded by the periodic checkpoints meanwhile.
 *
 * <pre>{@code
 * bench/run.sh --state --jobs 1000000
 * }</pre>
 *
 * <p>The last line is machine-readable: {@code state: jobs=… full_bytes=… bytes_per_job=…
 * mb_per_million=… incremental_upload_bytes=… checkpoints=… seconds=…}.
 */
public final class StateSizeBench {
    private static final long MB = 1024 * 1024;

    private final PrintStream out;

    StateSizeBench(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        long jobs = Long.parseLong(options.getOrDefault("--jobs", "1000000"));
        int parallelism = Integer.parseInt(options.getOrDefault("--parallelism", "2"));
        int users = Integer.parseInt(options.getOrDefault("--users", "10000"));
        Path work = Path.of(options.getOrDefault("--work-dir", "bench/target/work"));
        new StateSizeBench(System.out).run(jobs, parallelism, users, work.resolve("state"));
        System.exit(0); // the MiniCluster leaves non-daemon threads behind; the figures are out
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new TreeMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--state")) {
                continue;
            }
            if (!args[i].startsWith("--") || i + 1 == args.length) {
                System.err.println(
                        "usage: bench/run.sh --state [--jobs 1000000] [--parallelism 2]"
                                + " [--users 10000] [--work-dir DIR]");
                System.exit(2);
            }
            options.put(args[i], args[++i]);
        }
        return options;
    }

    /**
     * Runs the measurement in {@code dir} (emptied first); returns the final line (also printed).
     */
    String run(long jobs, int parallelism, int users, Path dir) throws Exception {
        deleteRecursively(dir);
        Path checkpoints = Files.createDirectories(dir.resolve("checkpoints"));
        Path rocksdb = Files.createDirectories(dir.resolve("rocksdb"));
        PipelineConfig config =
                PipelineConfig.builder().set(ConfigKeys.CHECKPOINT_INTERVAL_MS, 10_000).build();
        Configuration cluster = clusterConfiguration(parallelism, checkpoints, rocksdb);
        print(
                "rmbg-flink state: %,d jobs of %,d users, parallelism %d, RocksDB (incremental),"
                        + " checkpoints every %d s, dedup retention %s",
                jobs,
                users,
                parallelism,
                config.state().checkpointInterval().toSeconds(),
                config.state().dedupRetention());

        try (MiniCluster flink =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(cluster)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(parallelism)
                                .build())) {
            flink.start();
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(cluster);
            env.setParallelism(parallelism);
            RmbgJob.configure(env, config);
            new RmbgPipeline(source(jobs, users), discardingSinks())
                    .withBackgroundRemoval(c -> new SyntheticRemoval())
                    .build(env, config);
            CountingSink.COUNT.set(0);
            JobID job = flink.submitJob(env.getStreamGraph().getJobGraph()).get().getJobID();

            long start = System.nanoTime();
            Map<Long, Long> uploaded = awaitJobs(flink, job, jobs, start);
            double seconds = (System.nanoTime() - start) / 1e9;
            Thread.sleep(2_000); // the day windows' last updates

            AbstractCheckpointStats incremental =
                    checkpoint(flink, job, CheckpointType.INCREMENTAL);
            AbstractCheckpointStats full = checkpoint(flink, job, CheckpointType.FULL);
            AccessExecutionGraph graph = flink.getExecutionGraph(job).get();

            long passed = CountingSink.COUNT.get();
            print("");
            print("state per operator (full checkpoint):");
            for (TaskStateStats task : full.getAllTaskStateStats()) {
                if (task.getStateSize() > 0) {
                    // A chain's name starts with its first operator, the stateful one here.
                    String chain = graph.getJobVertex(task.getJobVertexId()).getName();
                    int arrow = chain.indexOf(" -> ");
                    print(
                            "  %-40s %,14d bytes",
                            arrow < 0 ? chain : chain.substring(0, arrow) + " …",
                            task.getStateSize());
                }
            }
            Thread.sleep(2_000); // subsumed checkpoints' files are deleted asynchronously
            long uploadTotal = uploaded.values().stream().mapToLong(Long::longValue).sum();
            print("");
            print("jobs through the pipeline           %,14d in %.0f s", passed, seconds);
            print("full checkpoint: state size         %,14d bytes", full.getStateSize());
            print("full checkpoint: written            %,14d bytes", full.getCheckpointedSize());
            print("incremental checkpoint: state size  %,14d bytes", incremental.getStateSize());
            print(
                    "incremental checkpoint: written     %,14d bytes (what changed since the last one)",
                    incremental.getCheckpointedSize());
            print(
                    "periodic checkpoints while loading  %,14d bytes uploaded in %d checkpoints"
                            + " (%,d bytes per job, compactions' rewrites included)",
                    uploadTotal, uploaded.size(), uploadTotal / Math.max(1, passed));
            print("checkpoint directory on disk        %,14d bytes", diskUsage(checkpoints));
            print("RocksDB working directories on disk %,14d bytes", diskUsage(rocksdb));
            long perJob = full.getStateSize() / Math.max(1, passed);
            print(
                    "per job %,d bytes: %,.0f MiB per million jobs kept (dedup.retention-ms)",
                    perJob, full.getStateSize() * 1e6 / Math.max(1, passed) / MB);
            String last =
                    String.format(
                            Locale.ROOT,
                            "state: jobs=%d full_bytes=%d bytes_per_job=%d mib_per_million=%.0f"
                                    + " incremental_upload_bytes=%d checkpoints=%d seconds=%.0f",
                            passed,
                            full.getStateSize(),
                            perJob,
                            full.getStateSize() * 1e6 / Math.max(1, passed) / MB,
                            uploadTotal,
                            uploaded.size(),
                            seconds);
            print("%s", last);
            flink.cancelJob(job).get();
            return last;
        }
    }

    private static Configuration clusterConfiguration(
            int parallelism, Path checkpoints, Path rocksdb) {
        // conf/config.yaml's state settings; checkpoints on the local disk instead of S3.
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.setString("state.backend.rocksdb.localdir", rocksdb.toString());
        // 128 MB of managed memory per slot, as taskmanager.memory.managed.size in config.yaml.
        conf.set(
                TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(128L * parallelism));
        return conf;
    }

    /** Events as producers send them: a job id, a user, an allowed image_uri, created_at now. */
    private static DataGeneratorSource<SourceRecord> source(long jobs, int users) {
        GeneratorFunction<Long, SourceRecord> events =
                i -> {
                    String user = "user-" + (i % users);
                    String json =
                            "{\"job_id\":\""
                                    + UUID.nameUUIDFromBytes(("state-" + i).getBytes(UTF_8))
                                    + "\",\"user_id\":\""
                                    + user
                                    + "\",\"image_uri\":\"s3://rmbg/uploads/"
                                    + user
                                    + "/"
                                    + i
                                    + ".jpg\",\"created_at\":\""
                                    + Instant.now()
                                    + "\"}";
                    return new SourceRecord(
                            "image-events", 0, i, System.currentTimeMillis(), json.getBytes(UTF_8));
                };
        return new DataGeneratorSource<>(
                events,
                Long.MAX_VALUE,
                new StopAfter<>(jobs),
                TypeInformation.of(SourceRecord.class));
    }

    private static PipelineSinks discardingSinks() {
        return new PipelineSinks(
                new CountingSink<>(),
                new DiscardingSink<>(),
                new DiscardingSink<>(),
                new DiscardingSink<>(),
                new DiscardingSink<>(),
                new DiscardingSink<>());
    }

    /**
     * Waits until {@code jobs} results have passed, printing progress; returns the bytes each
     * completed periodic checkpoint uploaded, by checkpoint id.
     */
    private Map<Long, Long> awaitJobs(MiniCluster flink, JobID job, long jobs, long start)
            throws Exception {
        Map<Long, Long> uploaded = new TreeMap<>();
        long last = -1;
        long lastChange = System.nanoTime();
        long lastPrint = 0;
        while (true) {
            Thread.sleep(1_000);
            long seen = CountingSink.COUNT.get();
            AccessExecutionGraph graph = flink.getExecutionGraph(job).get();
            if (graph.getState().isGloballyTerminalState()) {
                throw new IllegalStateException("the job ended: " + graph.getState());
            }
            for (AbstractCheckpointStats c :
                    graph.getCheckpointStatsSnapshot().getHistory().getCheckpoints()) {
                if (c.getStatus() == CheckpointStatsStatus.COMPLETED) {
                    uploaded.put(c.getCheckpointId(), c.getCheckpointedSize());
                }
            }
            if (seen >= jobs) {
                return uploaded;
            }
            if (seen != last) {
                last = seen;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > 120e9) {
                throw new IllegalStateException("stuck at " + seen + " of " + jobs + " jobs");
            }
            double s = (System.nanoTime() - start) / 1e9;
            if (s - lastPrint >= 10) {
                lastPrint = (long) s;
                var latest = graph.getCheckpointStatsSnapshot().getHistory();
                var done = latest.getLatestCompletedCheckpoint();
                print(
                        "  %4.0f s: %,10d jobs (%,.0f/s); last checkpoint: state %,d bytes,"
                                + " uploaded %,d",
                        s,
                        seen,
                        seen / s,
                        done == null ? 0 : done.getStateSize(),
                        done == null ? 0 : done.getCheckpointedSize());
            }
        }
    }

    private static AbstractCheckpointStats checkpoint(
            MiniCluster flink, JobID job, CheckpointType type) throws Exception {
        long id = flink.triggerCheckpoint(job, type).get();
        for (int i = 0; i < 100; i++) {
            AbstractCheckpointStats stats =
                    flink.getExecutionGraph(job)
                            .get()
                            .getCheckpointStatsSnapshot()
                            .getHistory()
                            .getCheckpointById(id);
            if (stats != null && stats.getStatus() == CheckpointStatsStatus.COMPLETED) {
                return stats;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("checkpoint " + id + " has no statistics");
    }

    /**
     * Bytes of the files under {@code dir}; files deleted meanwhile (subsumed checkpoints) count 0.
     */
    private static long diskUsage(Path dir) throws IOException {
        long[] bytes = {0};
        Files.walkFileTree(
                dir,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        bytes[0] += attrs.size();
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException gone) {
                        return FileVisitResult.CONTINUE;
                    }
                });
        return bytes[0];
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private void print(String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
    }
}
