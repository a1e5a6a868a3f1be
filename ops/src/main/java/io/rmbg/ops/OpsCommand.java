package io.rmbg.ops;

import io.rmbg.core.blob.S3BlobStore;

import java.io.PrintStream;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/rmbg status | maintain | backup | restore}: operating the results store. Servers are
 * the local stack's unless {@code RMBG_JDBC_URL}, {@code RMBG_JDBC_USER}, {@code
 * RMBG_JDBC_PASSWORD}, {@code RMBG_S3_*} (or {@code --jdbc.url …}) say otherwise. Maintenance and
 * restore need a role that may DELETE job rows and TRUNCATE (the schema's owner), not the job's.
 */
public final class OpsCommand {
    static final String USAGE =
            String.join(
                    "\n",
                    "usage: bin/rmbg status                      PostgreSQL figures: connections,"
                            + " cache hits, longest query, sizes, bloat, partitions",
                    "       bin/rmbg maintain --gc [--apply] [--grace-hours 24]"
                            + " [--dead-letter-hours 168]",
                    "       bin/rmbg maintain --retention [--apply] [--completed-days 180]"
                            + " [--failed-days 180] [--pending-days N] [--processing-days N]"
                            + " [--batch-rows 5000]",
                    "       bin/rmbg maintain --partition [--prepare|--apply]  migrate an unpartitioned"
                            + " image_process_jobs to month partitions (stop the job first:"
                            + " docs/operations.md §3)",
                    "       bin/rmbg maintain --reindex              REINDEX TABLE CONCURRENTLY"
                            + " image_process_jobs (each partition), image_tags, jobs_ids (index"
                            + " bloat; no write lock)",
                    "       bin/rmbg backup DIR [--blobs] [--pg-dump PATH]   tables (pg_dump -Fc"
                            + " when its version is at least the server's, else binary COPY) and a"
                            + " bucket manifest; --blobs copies the blobs too",
                    "       bin/rmbg restore DIR [--replace] [--pg-restore PATH]   into an empty"
                            + " database (--replace empties it first), then checks every blob",
                    "Without --apply, maintain only reports what it would delete.");

    private final PrintStream out;

    OpsCommand(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(new OpsCommand(System.out).run(args, System.getenv()));
    }

    int run(String[] args, Map<String, String> env) {
        if (args.length == 0) {
            out.println(USAGE);
            return 2;
        }
        OpsArgs p;
        OpsConfig config;
        try {
            p = OpsArgs.of(args);
            config = OpsConfig.fromArgs(p.configArgs, env);
        } catch (Exception e) {
            out.println("rmbg: " + e.getMessage());
            out.println(USAGE);
            return 2;
        }
        try (Connection db =
                        DriverManager.getConnection(
                                config.jdbcUrl(), config.jdbcUser(), config.jdbcPassword());
                S3BlobStore store = new S3BlobStore(config.s3())) {
            String bucket = config.s3().bucket();
            switch (p.command) {
                case "status" -> StatusText.print(DbStatus.read(db), out);
                case "maintain" -> {
                    if (p.flags.contains("--partition")) {
                        partition(db, p);
                    }
                    if (MonthPartitions.partitioned(db)) {
                        int created = MonthPartitions.createAhead(db, MonthPartitions.MONTHS_AHEAD);
                        if (created < 0) {
                            out.println(
                                    "partitions: none created: a lock stayed busy for "
                                            + MonthPartitions.LOCK_TIMEOUT
                                            + " (the job writing rows into DEFAULT); the next run"
                                            + " creates them");
                        } else {
                            out.printf(
                                    "partitions: %d created (months ahead: %d)%n",
                                    created, MonthPartitions.MONTHS_AHEAD);
                        }
                    } else {
                        out.println(
                                "partitions: image_process_jobs is not partitioned yet: run"
                                        + " bin/rmbg maintain --partition (docs/operations.md §3)");
                    }
                    if (p.flags.contains("--retention")) {
                        retention(db, p);
                    }
                    if (p.flags.contains("--reindex")) {
                        reindex(db);
                    }
                    if (p.flags.contains("--gc")) {
                        gc(db, store, bucket, p);
                    }
                }
                case "backup" -> {
                    PgDumpArchive archive = PgDumpArchive.forBackup(db, p.pgDump(env), config, out);
                    StoreBackup.Report r =
                            StoreBackup.write(
                                    db,
                                    store.client(),
                                    bucket,
                                    Schema.sql(),
                                    p.directory(),
                                    p.flags.contains("--blobs"),
                                    archive);
                    out.println(
                            "Backup in "
                                    + p.directory()
                                    + (archive == null
                                            ? " (binary COPY)"
                                            : " (pg_dump "
                                                    + archive.tool().major()
                                                    + " -Fc: "
                                                    + PgDumpArchive.FILE
                                                    + ")")
                                    + ": rows "
                                    + r.rows());
                    out.printf(
                            "Bucket %s: %d blobs, %s listed in blobs.tsv%s%n",
                            bucket,
                            r.blobs(),
                            StatusText.bytes(r.blobBytes()),
                            r.withBlobs() ? " and copied under blobs/" : "");
                }
                case "restore" -> {
                    PgDumpArchive archive =
                            Files.isRegularFile(p.directory().resolve(PgDumpArchive.FILE))
                                    ? PgDumpArchive.forRestore(
                                            db, p.pgRestore(env), config, p.directory())
                                    : null;
                    StoreRestore.Report r =
                            StoreRestore.read(
                                    db,
                                    store.client(),
                                    bucket,
                                    p.directory(),
                                    p.flags.contains("--replace"),
                                    archive);
                    out.println("Restored rows " + r.rows() + "; blobs put back: " + r.blobsPut());
                    if (!r.blobProblems().isEmpty()) {
                        out.println(
                                "rmbg: "
                                        + r.blobProblems().size()
                                        + " blobs of the manifest are not in the bucket as"
                                        + " backed up (restore them from the bucket's versions or"
                                        + " a backup taken with --blobs):");
                        r.blobProblems().stream().limit(20).forEach(l -> out.println("  " + l));
                        return 1;
                    }
                    out.println("Every blob of the manifest is in the bucket with its SHA-256.");
                }
                default -> throw new IllegalArgumentException("unknown command " + p.command);
            }
            return 0;
        } catch (IllegalArgumentException | IllegalStateException e) {
            out.println("rmbg: " + e.getMessage());
            return 2;
        } catch (SQLException e) {
            out.println(
                    "rmbg: PostgreSQL at "
                            + config.jdbcUrl()
                            + ": "
                            + e.getMessage()
                            + ". Is bin/rmbg local running (or RMBG_JDBC_URL set)? Maintenance"
                            + " needs the schema owner's role (RMBG_JDBC_USER).");
            return 1;
        } catch (Exception e) {
            out.println("rmbg: " + p.command + " failed: " + e);
            return 1;
        }
    }

    private void retention(Connection db, OpsArgs p) throws SQLException {
        Map<String, Duration> ages = Retention.Options.defaultAges();
        for (String status : List.of("completed", "failed", "pending", "processing")) {
            String days = p.values.get("--" + status + "-days");
            if (days != null) {
                ages.put(status, Duration.ofDays(Long.parseLong(days)));
            }
        }
        Retention.Options options =
                new Retention.Options(
                        p.flags.contains("--apply"),
                        ages,
                        Integer.parseInt(p.values.getOrDefault("--batch-rows", "5000")));
        Retention.Report r = new Retention(db).run(options, Instant.now());
        for (Map.Entry<String, Duration> e : options.ages().entrySet()) {
            out.printf(
                    "retention: %-10s older than %4d days: %d rows%s%n",
                    e.getKey(),
                    e.getValue().toDays(),
                    r.pastAge().get(e.getKey()),
                    options.apply() ? ", deleted " + r.deleted().get(e.getKey()) : "");
        }
        for (String partition : r.partitionsDropped()) {
            out.println(
                    "retention: partition "
                            + partition
                            + (options.apply()
                                    ? " dropped whole"
                                    : " would be dropped whole (every row past its age)"));
        }
        out.println(
                "retention: processing_stats and processing_error_stats are kept (the statistics"
                        + " outlive the rows)"
                        + (options.apply() ? "" : "; dry run, pass --apply to delete"));
        long deleted = r.deleted().values().stream().mapToLong(Long::longValue).sum();
        if (deleted > 0) {
            // Space of deleted rows becomes reusable; a plain VACUUM takes no exclusive lock.
            try (Statement s = db.createStatement()) {
                s.execute("VACUUM (ANALYZE) image_process_jobs, image_tags, jobs_ids");
                out.println(
                        "retention: VACUUM (ANALYZE) image_process_jobs, image_tags, jobs_ids done");
            }
        }
    }

    private void partition(Connection db, OpsArgs p) throws SQLException {
        PartitionMigration.Report r =
                new PartitionMigration(db, out)
                        .run(
                                p.flags.contains("--prepare"),
                                p.flags.contains("--apply"),
                                Instant.now());
        out.println("partition: " + r.summary());
    }

    /**
     * Rebuilds the job tables' indexes beside the old ones and swaps them (PostgreSQL 12+): the job
     * keeps writing meanwhile. Needs the tables' owner; cannot run inside a transaction.
     */
    private void reindex(Connection db) throws SQLException {
        db.setAutoCommit(true);
        for (String table : List.of("image_process_jobs", "image_tags", "jobs_ids")) {
            long started = System.nanoTime();
            // REINDEX of a partitioned table needs PostgreSQL 14; its partitions, plain tables, are
            // reindexed one by one on any version (the contract's minimum is 12).
            List<String> targets =
                    table.equals("image_process_jobs") && MonthPartitions.partitioned(db)
                            ? MonthPartitions.list(db).stream()
                                    .map(MonthPartitions.Partition::name)
                                    .toList()
                            : List.of(table);
            try (Statement s = db.createStatement()) {
                for (String target : targets) {
                    s.execute("REINDEX TABLE CONCURRENTLY \"" + target + "\"");
                }
            }
            out.printf(
                    "reindex: %s rebuilt concurrently in %d ms%n",
                    table, (System.nanoTime() - started) / 1_000_000);
        }
    }

    private void gc(Connection db, S3BlobStore store, String bucket, OpsArgs p)
            throws SQLException {
        BlobGc.Options options =
                new BlobGc.Options(
                        p.flags.contains("--apply"),
                        Duration.ofHours(
                                Long.parseLong(
                                        p.values.getOrDefault(
                                                "--grace-hours",
                                                Long.toString(
                                                        BlobGc.Options.DEFAULT_GRACE.toHours())))),
                        Duration.ofHours(
                                Long.parseLong(
                                        p.values.getOrDefault(
                                                "--dead-letter-hours",
                                                Long.toString(
                                                        BlobGc.Options.DEFAULT_DEAD_LETTER_GRACE
                                                                .toHours())))));
        BlobGc.Report r = new BlobGc(store.client(), bucket, db).run(options, Instant.now());
        out.printf(
                "gc: bucket %s: %d blobs (%s) scanned: %d referenced, %d within the grace period%n",
                bucket,
                r.scanned(),
                StatusText.bytes(r.scannedBytes()),
                r.referenced(),
                r.tooYoung());
        out.printf(
                "gc: %d unreferenced blobs older than %d h (dead letters: %d h): %s reclaimable%n",
                r.candidates(),
                options.grace().toHours(),
                options.deadLetterGrace().toHours(),
                StatusText.bytes(r.candidateBytes()));
        if (options.apply()) {
            out.printf(
                    "gc: deleted %d blobs, %s reclaimed; %d kept (referenced or written again"
                            + " since the scan)%n",
                    r.deleted(), StatusText.bytes(r.deletedBytes()), r.keptOnRecheck());
        } else {
            out.println("gc: dry run, pass --apply to delete");
        }
    }
}
