package io.rmbg.ops;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Retention's fast path: a partition of {@code image_process_jobs} whose every row is past its
 * status's age is detached and dropped whole, then its ids (and so its tag links) are deleted from
 * {@code jobs_ids} in batches. O(1) in the partition's rows, and no dead rows for vacuum.
 *
 * <p>A partition qualifies when its range ends before the cut-off of some statuses and it holds no
 * row of any other status. What must stay true: the check and the detach see the same rows. The
 * sink may write a late row (an old {@code created_at}) into the partition at any moment, so the
 * check runs again after {@code LOCK TABLE image_process_jobs} in the detach's own short
 * transaction (bounded by {@code lock_timeout}: a busy table makes this run skip the partition, the
 * next run takes it). {@code DETACH … CONCURRENTLY} is not used: PostgreSQL refuses it on a table
 * with a DEFAULT partition, and the lock is held only for an index probe and the catalogue change.
 */
final class PartitionDrop {
    private static final String LOCK_TIMEOUT = "5s";

    /** What one partition held when it was dropped. */
    record Dropped(String partition, Map<String, Long> rowsByStatus) {}

    private final Connection db;

    PartitionDrop(Connection db) {
        this.db = db;
    }

    /**
     * The partitions that can go whole, with the statuses whose age their range is past. Read
     * without locks: what a dry run reports, and the candidates {@link #drop} re-checks.
     */
    Map<MonthPartitions.Partition, List<String>> candidates(Map<String, Duration> ages, Instant now)
            throws SQLException {
        Map<MonthPartitions.Partition, List<String>> candidates = new LinkedHashMap<>();
        if (!MonthPartitions.partitioned(db)) {
            return candidates;
        }
        for (MonthPartitions.Partition p : MonthPartitions.list(db)) {
            if (p.isDefault()) {
                continue;
            }
            List<String> pastAge = new ArrayList<>();
            for (Map.Entry<String, Duration> e : ages.entrySet()) {
                if (!p.to().isAfter(now.minus(e.getValue()))) {
                    pastAge.add(e.getKey());
                }
            }
            if (!pastAge.isEmpty() && !holdsOtherStatuses(p.name(), pastAge)) {
                candidates.put(p, pastAge);
            }
        }
        return candidates;
    }

    /** Detaches and drops the partition if it still holds only the given statuses. */
    Dropped drop(MonthPartitions.Partition p, List<String> statuses, int batchRows)
            throws SQLException {
        boolean auto = db.getAutoCommit();
        db.setAutoCommit(false);
        try (Statement s = db.createStatement()) {
            s.execute("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT + "'");
            s.execute("LOCK TABLE image_process_jobs IN ACCESS EXCLUSIVE MODE");
            if (holdsOtherStatuses(p.name(), statuses)) {
                db.rollback();
                return null; // a late row of a kept status arrived: the batched DELETE handles it
            }
            s.execute("ALTER TABLE image_process_jobs DETACH PARTITION " + quote(p.name()));
            db.commit();
        } catch (SQLException e) {
            db.rollback();
            if ("55P03".equals(e.getSQLState())) {
                return null; // lock_timeout: the sink is busy; the next run drops it
            }
            throw e;
        } finally {
            db.setAutoCommit(auto);
        }
        // Detached: nothing writes to it any more; counting and dropping block no one.
        Map<String, Long> rows = new LinkedHashMap<>();
        try (Statement s = db.createStatement()) {
            try (ResultSet rs =
                    s.executeQuery(
                            "SELECT status, count(*) FROM "
                                    + quote(p.name())
                                    + " GROUP BY status ORDER BY status")) {
                while (rs.next()) {
                    rows.put(rs.getString(1), rs.getLong(2));
                }
            }
            s.execute("DROP TABLE " + quote(p.name()));
        }
        deleteIds(p, batchRows);
        return new Dropped(p.name(), rows);
    }

    /** The dropped range's ids, in batches; their tag links go by ON DELETE CASCADE. */
    private void deleteIds(MonthPartitions.Partition p, int batchRows) throws SQLException {
        String sql =
                "DELETE FROM jobs_ids WHERE job_id IN (SELECT job_id FROM jobs_ids"
                        + " WHERE created_at < ?"
                        + (p.from() == null ? "" : " AND created_at >= ?")
                        + " LIMIT ? FOR UPDATE SKIP LOCKED)";
        int n;
        do {
            try (PreparedStatement ps = db.prepareStatement(sql)) {
                int i = 0;
                ps.setTimestamp(++i, Timestamp.from(p.to()));
                if (p.from() != null) {
                    ps.setTimestamp(++i, Timestamp.from(p.from()));
                }
                ps.setInt(++i, batchRows);
                n = ps.executeUpdate();
            }
        } while (n > 0);
    }

    private boolean holdsOtherStatuses(String partition, List<String> statuses)
            throws SQLException {
        try (PreparedStatement ps =
                db.prepareStatement(
                        "SELECT EXISTS (SELECT 1 FROM "
                                + quote(partition)
                                + " WHERE status <> ALL (?))")) {
            ps.setArray(1, db.createArrayOf("varchar", statuses.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
