package io.rmbg.ops;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The PostgreSQL figures an operator watches (the same ones the Grafana "rmbg-flink: PostgreSQL"
 * dashboard charts through postgres-exporter), read with plain JDBC from the catalog and the
 * statistics views. Any role can read them; a role without {@code pg_monitor} sees other roles'
 * queries as {@code <insufficient privilege>}, but still their durations.
 *
 * <p>Bloat is an estimate: the dead-row share {@code n_dead_tup / (n_live_tup + n_dead_tup)} from
 * the statistics collector, which autovacuum resets. An exact figure needs the pgstattuple
 * extension, which scans the whole table.
 */
public final class DbStatus {
    private DbStatus() {}

    /** Connections to this database: those running a statement, and all of them. */
    public record Connections(int active, int total, int max) {}

    /** The oldest statement still running in this database, other than ours (none: null). */
    public record LongestQuery(int pid, String user, double seconds, String state, String query) {}

    /** A table's heap (with TOAST) and index bytes, and its dead-row share (0..1). */
    public record TableSize(
            String name, long tableBytes, long indexBytes, long liveRows, long deadRows) {
        public double deadShare() {
            long all = liveRows + deadRows;
            return all == 0 ? 0 : (double) deadRows / all;
        }
    }

    /** A partition of a partitioned table, with its bounds and total bytes. */
    public record PartitionSize(String parent, String name, String bounds, long totalBytes) {}

    /** Everything {@code bin/rmbg status} prints. */
    public record Report(
            String server,
            long databaseBytes,
            Connections connections,
            double cacheHitRatio,
            LongestQuery longest,
            List<TableSize> tables,
            List<PartitionSize> partitions) {}

    public static Report read(Connection c) throws SQLException {
        return new Report(
                text(c, "SELECT current_setting('server_version')"),
                number(c, "SELECT pg_database_size(current_database())"),
                connections(c),
                cacheHitRatio(c),
                longest(c),
                tables(c),
                partitions(c));
    }

    static Connections connections(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT count(*) FILTER (WHERE state = 'active'), count(*),"
                                        + " current_setting('max_connections')::int"
                                        + " FROM pg_stat_activity"
                                        + " WHERE datname = current_database()")) {
            rs.next();
            return new Connections(rs.getInt(1), rs.getInt(2), rs.getInt(3));
        }
    }

    /**
     * Share of block reads served from shared buffers since the statistics were reset; 1.0 on a
     * database that has read nothing yet. Below about 0.99 on a busy store, shared_buffers is too
     * small for the working set.
     */
    static double cacheHitRatio(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT blks_hit, blks_read FROM pg_stat_database"
                                        + " WHERE datname = current_database()")) {
            if (!rs.next()) {
                return 1.0;
            }
            long hit = rs.getLong(1);
            long read = rs.getLong(2);
            return hit + read == 0 ? 1.0 : (double) hit / (hit + read);
        }
    }

    static LongestQuery longest(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT pid, usename, extract(epoch FROM now() - query_start),"
                                        + " state, left(regexp_replace(query, '\\s+', ' ', 'g'), 120)"
                                        + " FROM pg_stat_activity"
                                        + " WHERE datname = current_database()"
                                        + " AND state IS DISTINCT FROM 'idle'"
                                        + " AND query_start IS NOT NULL"
                                        + " AND pid <> pg_backend_pid()"
                                        + " AND backend_type = 'client backend'"
                                        + " ORDER BY query_start LIMIT 1")) {
            if (!rs.next()) {
                return null;
            }
            return new LongestQuery(
                    rs.getInt(1),
                    rs.getString(2),
                    rs.getDouble(3),
                    rs.getString(4),
                    rs.getString(5));
        }
    }

    /**
     * Every ordinary and partitioned table of the schemas on the search path; a partitioned table
     * counts its partitions' bytes and rows (its own heap is empty).
     */
    static List<TableSize> tables(Connection c) throws SQLException {
        String sql =
                "SELECT c.relname,"
                        + " sum(pg_table_size(t.relid)), sum(pg_indexes_size(t.relid)),"
                        + " sum(coalesce(st.n_live_tup, 0)), sum(coalesce(st.n_dead_tup, 0))"
                        + " FROM pg_class c"
                        + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                        + " CROSS JOIN LATERAL (SELECT c.oid AS relid WHERE c.relkind = 'r'"
                        + "   UNION ALL SELECT relid FROM pg_partition_tree(c.oid)"
                        + "   WHERE c.relkind = 'p' AND isleaf) t"
                        + " LEFT JOIN pg_stat_user_tables st ON st.relid = t.relid"
                        + " WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition"
                        + " AND n.nspname = ANY (current_schemas(false))"
                        + " GROUP BY c.relname"
                        + " ORDER BY sum(pg_table_size(t.relid)) + sum(pg_indexes_size(t.relid)) DESC,"
                        + " c.relname";
        List<TableSize> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(
                        new TableSize(
                                rs.getString(1),
                                rs.getLong(2),
                                rs.getLong(3),
                                rs.getLong(4),
                                rs.getLong(5)));
            }
        }
        return out;
    }

    /** Leaf partitions of every partitioned table on the search path; empty when none is. */
    static List<PartitionSize> partitions(Connection c) throws SQLException {
        String sql =
                "SELECT p.relname, c.relname, coalesce(pg_get_expr(c.relpartbound, c.oid), ''),"
                        + " pg_total_relation_size(c.oid)"
                        + " FROM pg_class p"
                        + " JOIN pg_namespace n ON n.oid = p.relnamespace"
                        + " CROSS JOIN LATERAL pg_partition_tree(p.oid) t"
                        + " JOIN pg_class c ON c.oid = t.relid"
                        + " WHERE p.relkind = 'p' AND NOT p.relispartition AND t.isleaf"
                        + " AND n.nspname = ANY (current_schemas(false))"
                        + " ORDER BY p.relname, c.relname";
        List<PartitionSize> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(
                        new PartitionSize(
                                rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
            }
        }
        return out;
    }

    private static String text(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static long number(Connection c, String sql) throws SQLException {
        return Long.parseLong(text(c, sql));
    }
}
