package io.rmbg.ops;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Retention: deletes job rows whose {@code created_at} is older than their status's age, with their
 * tag links ({@code image_tags} has {@code ON DELETE CASCADE}). {@code processing_stats} and {@code
 * processing_error_stats} are kept: the statistics outlive the rows they were computed from.
 *
 * <p>Deletes in bounded batches, each its own short transaction, oldest first through {@code
 * idx_jobs_created_at}; {@code SKIP LOCKED} steps over a row the job's sink is upserting at that
 * moment instead of waiting for it. No batch holds locks for long, so the job keeps writing while
 * retention runs. Partitioned tables (drop a month at once) are the design for far larger stores:
 * see docs/operations.md.
 *
 * <p>Why a minimum age: the job recomputes a day's statistics from its rows when a late job of that
 * day arrives (README, stats.reconcile.*). A day whose rows retention deleted would be recomputed
 * to near zero; ages of at least {@link #MIN_AGE} stay far beyond any late arrival (the events
 * topic's retention, 7 days by default).
 */
public final class Retention {
    public static final Duration MIN_AGE = Duration.ofDays(30);
    public static final Duration DEFAULT_AGE = Duration.ofDays(180);

    private static final String BATCH =
            "DELETE FROM image_process_jobs WHERE job_id IN ("
                    + " SELECT job_id FROM image_process_jobs"
                    + " WHERE created_at < ? AND status = ?"
                    + " ORDER BY created_at LIMIT ? FOR UPDATE SKIP LOCKED)";

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

    /** Rows past their age per status, and how many were deleted (0 in a dry run). */
    public record Report(Map<String, Long> pastAge, Map<String, Long> deleted, int batches) {}

    private final Connection db;

    public Retention(Connection db) {
        this.db = db;
    }

    public Report run(Options options, Instant now) throws SQLException {
        Map<String, Long> pastAge = new LinkedHashMap<>();
        Map<String, Long> deleted = new LinkedHashMap<>();
        int batches = 0;
        boolean auto = db.getAutoCommit();
        db.setAutoCommit(true); // one transaction per batch: no long lock, progress survives a stop
        try {
            for (Map.Entry<String, Duration> e : options.ages().entrySet()) {
                Timestamp cutoff = Timestamp.from(now.minus(e.getValue()));
                pastAge.put(e.getKey(), count(cutoff, e.getKey()));
                long n = 0;
                if (options.apply()) {
                    int rows;
                    do {
                        rows = deleteBatch(cutoff, e.getKey(), options.batchRows());
                        n += rows;
                        batches++;
                    } while (rows > 0);
                }
                deleted.put(e.getKey(), n);
            }
        } finally {
            db.setAutoCommit(auto);
        }
        return new Report(pastAge, deleted, batches);
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

    private int deleteBatch(Timestamp cutoff, String status, int limit) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(BATCH)) {
            ps.setTimestamp(1, cutoff);
            ps.setString(2, status);
            ps.setInt(3, limit);
            return ps.executeUpdate();
        }
    }
}
