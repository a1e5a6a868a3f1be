package io.rmbg.ops;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Retention: deletes job rows whose {@code created_at} is older than their status's age, with their
 * ids ({@code jobs_ids}) and tag links ({@code image_tags} references the ids with {@code ON DELETE
 * CASCADE}). {@code processing_stats} and {@code processing_error_stats} are kept: the statistics
 * outlive the rows they were computed from.
 *
 * <p>First, every month partition whose rows are all past their statuses' ages is dropped whole
 * ({@link PartitionDrop}). The rest — rows in partitions that also hold younger rows or kept
 * statuses, in DEFAULT, or in an unpartitioned store — is deleted in bounded batches, each its own
 * short transaction, oldest first through {@code idx_jobs_created_at}; {@code SKIP LOCKED} steps
 * over a row the job's sink is upserting at that moment instead of waiting for it. No batch holds
 * locks for long, so the job keeps writing while retention runs (docs/operations.md §3).
 *
 * <p>Why a minimum age: the job recomputes a day's statistics from its rows when a late job of that
 * day arrives (README, stats.reconcile.*). A day whose rows retention deleted would be recomputed
 * to near zero; ages of at least {@link #MIN_AGE} stay far beyond any late arrival (the events
 * topic's retention, 7 days by default).
 */
public final class Retention {
    public static final Duration MIN_AGE = Duration.ofDays(30);
    public static final Duration DEFAULT_AGE = Duration.ofDays(180);

    // (job_id, created_at): the partitioned table's key, so each row is found in its partition.
    private static final String BATCH =
            "WITH gone AS (DELETE FROM image_process_jobs WHERE (job_id, created_at) IN ("
                    + " SELECT job_id, created_at FROM image_process_jobs"
                    + " WHERE created_at < ? AND status = ?"
                    + " ORDER BY created_at LIMIT ? FOR UPDATE SKIP LOCKED)"
                    + " RETURNING job_id),"
                    + " ids AS (DELETE FROM jobs_ids WHERE job_id IN (SELECT job_id FROM gone))"
                    + " SELECT count(*) FROM gone";

    // A store not yet migrated (maintain --partition) has no jobs_ids: its tags cascade from rows.
    private static final String BATCH_UNPARTITIONED =
            "WITH gone AS (DELETE FROM image_process_jobs WHERE job_id IN ("
                    + " SELECT job_id FROM image_process_jobs"
                    + " WHERE created_at < ? AND status = ?"
                    + " ORDER BY created_at LIMIT ? FOR UPDATE SKIP LOCKED)"
                    + " RETURNING job_id)"
                    + " SELECT count(*) FROM gone";

    private static final String COUNT =
            "SELECT count(*) FROM image_process_jobs WHERE created_at < ? AND status = ?";

    /**
     * Ages per status ({@code completed}, {@code failed}, {@code pending}, {@code processing}); a
     * status without an age is kept for ever.
     */
    public record Options(boolean apply, Map<String, Duration> ages, int batchRows) {
        /** The design's default: completed and failed jobs after six months; others kept. */
        public static Map<String, Duration> defaultAges() {
            Map<String, Duration> ages = new LinkedHashMap<>();
            ages.put("completed", DEFAULT_AGE);
            ages.put("failed", DEFAULT_AGE);
            return ages;
        }

        public Options {
            ages = Collections.unmodifiableMap(new LinkedHashMap<>(ages));
            for (Map.Entry<String, Duration> e : ages.entrySet()) {
                if (!java.util.Set.of("completed", "failed", "pending", "processing")
                        .contains(e.getKey())) {
                    throw new IllegalArgumentException(
                            "unknown status '"
                                    + e.getKey()
                                    + "': use completed, failed, pending or processing");
                }
                if (e.getValue().compareTo(MIN_AGE) < 0) {
                    throw new IllegalArgumentException(
                            "the age of "
                                    + e.getKey()
                                    + " jobs must be at least "
                                    + MIN_AGE.toDays()
                                    + " days: the job recomputes a day's statistics from its rows"
                                    + " when a late job of that day arrives");
                }
            }
            if (batchRows < 1) {
                throw new IllegalArgumentException("batch rows must be positive");
            }
        }
    }

    /**
     * Rows past their age per status, how many were deleted (0 in a dry run), the batches of the
     * DELETE path and the partitions dropped whole (in a dry run: those that would be).
     */
    public record Report(
            Map<String, Long> pastAge,
            Map<String, Long> deleted,
            int batches,
            List<String> partitionsDropped) {}

    private final Connection db;

    public Retention(Connection db) {
        this.db = db;
    }

    public Report run(Options options, Instant now) throws SQLException {
        Map<String, Long> pastAge = new LinkedHashMap<>();
        Map<String, Long> deleted = new LinkedHashMap<>();
        List<String> dropped = new ArrayList<>();
        int batches = 0;
        boolean auto = db.getAutoCommit();
        db.setAutoCommit(true); // one transaction per batch: no long lock, progress survives a stop
        try {
            boolean partitioned = MonthPartitions.partitioned(db);
            if (partitioned && options.apply()) {
                // Rows that landed in DEFAULT move to their month's partition, which may then go.
                MonthPartitions.createAhead(db, MonthPartitions.MONTHS_AHEAD);
            }
            for (Map.Entry<String, Duration> e : options.ages().entrySet()) {
                pastAge.put(e.getKey(), count(Timestamp.from(now.minus(e.getValue())), e.getKey()));
                deleted.put(e.getKey(), 0L);
            }
            PartitionDrop drop = new PartitionDrop(db);
            for (Map.Entry<MonthPartitions.Partition, List<String>> c :
                    drop.candidates(options.ages(), now).entrySet()) {
                if (!options.apply()) {
                    dropped.add(c.getKey().name());
                    continue;
                }
                PartitionDrop.Dropped d = drop.drop(c.getKey(), c.getValue(), options.batchRows());
                if (d != null) {
                    dropped.add(d.partition());
                    d.rowsByStatus().forEach((status, n) -> deleted.merge(status, n, Long::sum));
                }
            }
            if (options.apply()) {
                for (Map.Entry<String, Duration> e : options.ages().entrySet()) {
                    Timestamp cutoff = Timestamp.from(now.minus(e.getValue()));
                    long n = 0;
                    int rows;
                    do {
                        rows = deleteBatch(partitioned, cutoff, e.getKey(), options.batchRows());
                        n += rows;
                        batches++;
                    } while (rows > 0);
                    deleted.merge(e.getKey(), n, Long::sum);
                }
            }
        } finally {
            db.setAutoCommit(auto);
        }
        return new Report(pastAge, deleted, batches, dropped);
    }

    private long count(Timestamp cutoff, String status) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(COUNT)) {
            ps.setTimestamp(1, cutoff);
            ps.setString(2, status);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private int deleteBatch(boolean partitioned, Timestamp cutoff, String status, int limit)
            throws SQLException {
        try (PreparedStatement ps =
                db.prepareStatement(partitioned ? BATCH : BATCH_UNPARTITIONED)) {
            ps.setTimestamp(1, cutoff);
            ps.setString(2, status);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
