package io.rmbg.ops;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The partitions of {@code image_process_jobs} (sql/schema.sql): one per UTC month, a DEFAULT one,
 * and after a migration the old table covering everything before its cut-over. Creating them ahead
 * is the schema's {@code rmbg_create_partitions}, so that the schema and {@code bin/rmbg maintain}
 * share one recipe.
 */
public final class MonthPartitions {
    /** How many months ahead every maintenance run keeps partitions ready. */
    public static final int MONTHS_AHEAD = 3;

    /** How long creating partitions waits for a lock before leaving it to the next run. */
    static final String LOCK_TIMEOUT = "2s";

    /**
     * One partition and its range; {@code from} is null for a partition from MINVALUE (a migrated
     * table), both are null for DEFAULT.
     */
    public record Partition(String name, Instant from, Instant to) {
        public boolean isDefault() {
            return to == null;
        }
    }

    private static final String LIST =
            "SELECT c.relname, b.bound,"
                    + " CASE WHEN b.bound ~ 'FROM \\(MINVALUE\\)' THEN NULL ELSE"
                    + " (regexp_match(b.bound, 'FROM \\(''([^'']+)''\\)'))[1]::timestamptz END,"
                    + " (regexp_match(b.bound, 'TO \\(''([^'']+)''\\)'))[1]::timestamptz"
                    + " FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                    + " CROSS JOIN LATERAL (SELECT pg_get_expr(c.relpartbound, c.oid) AS bound) b"
                    + " WHERE i.inhparent = 'image_process_jobs'::regclass"
                    + " ORDER BY 4 NULLS LAST";

    private MonthPartitions() {}

    /** True once the store has the partitioned table (else {@code maintain --partition}). */
    public static boolean partitioned(Connection db) throws SQLException {
        try (Statement s = db.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT count(*) FROM pg_partitioned_table"
                                        + " WHERE partrelid = to_regclass('image_process_jobs')")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }

    /**
     * Creates this month's and the next months' partitions; returns how many were new, or -1 when a
     * lock it needs was not granted within {@link #LOCK_TIMEOUT} (the sink writing into DEFAULT,
     * whose rows it moves): the next run creates them, and until then rows land in DEFAULT.
     */
    public static int createAhead(Connection db, int monthsAhead) throws SQLException {
        boolean auto = db.getAutoCommit();
        db.setAutoCommit(false);
        try (PreparedStatement ps =
                db.prepareStatement(
                        "SELECT set_config('lock_timeout', ?, true), rmbg_create_partitions(?)")) {
            ps.setString(1, LOCK_TIMEOUT);
            ps.setInt(2, monthsAhead);
            int created;
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                created = rs.getInt(2);
            }
            db.commit();
            return created;
        } catch (SQLException e) {
            db.rollback();
            if ("55P03".equals(e.getSQLState())) {
                return -1;
            }
            throw e;
        } finally {
            db.setAutoCommit(auto);
        }
    }

    /** Every partition, oldest range first, DEFAULT last. */
    public static List<Partition> list(Connection db) throws SQLException {
        List<Partition> partitions = new ArrayList<>();
        try (Statement s = db.createStatement();
                ResultSet rs = s.executeQuery(LIST)) {
            while (rs.next()) {
                java.sql.Timestamp from = rs.getTimestamp(3);
                java.sql.Timestamp to = rs.getTimestamp(4);
                partitions.add(
                        new Partition(
                                rs.getString(1),
                                from == null ? null : from.toInstant(),
                                to == null ? null : to.toInstant()));
            }
        }
        return partitions;
    }
}
