package io.rmbg.ops;

import java.io.PrintStream;
import java.util.Locale;

/** {@code bin/rmbg status}: a {@link DbStatus.Report} as a few plain lines. */
final class StatusText {
    private StatusText() {}

    static void print(DbStatus.Report r, PrintStream out) {
        out.printf("PostgreSQL %s, database %s%n", r.server(), bytes(r.databaseBytes()));
        out.printf(
                "Connections: %d active, %d open of max_connections %d%n",
                r.connections().active(), r.connections().total(), r.connections().max());
        out.printf(
                Locale.ROOT,
                "Cache hit ratio: %.4f%s%n",
                r.cacheHitRatio(),
                r.cacheHitRatio() < 0.99 ? "  (below 0.99: shared_buffers may be too small)" : "");
        DbStatus.LongestQuery q = r.longest();
        out.println(
                q == null
                        ? "Longest running query: none"
                        : String.format(
                                Locale.ROOT,
                                "Longest running query: %.1f s, pid %d (%s, %s): %s",
                                q.seconds(),
                                q.pid(),
                                q.user(),
                                q.state(),
                                q.query()));
        out.println("Tables (heap with TOAST, indexes, live rows, dead rows = bloat estimate):");
        for (DbStatus.TableSize t : r.tables()) {
            out.printf(
                    Locale.ROOT,
                    "  %-24s %10s %10s %12d %10d (%.1f %%)%n",
                    t.name(),
                    bytes(t.tableBytes()),
                    bytes(t.indexBytes()),
                    t.liveRows(),
                    t.deadRows(),
                    100 * t.deadShare());
        }
        if (r.partitions().isEmpty()) {
            out.println("Partitions: none (no table is partitioned)");
        } else {
            out.println("Partitions:");
            for (DbStatus.PartitionSize p : r.partitions()) {
                out.printf(
                        "  %-24s %-32s %10s  %s%n",
                        p.parent(), p.name(), bytes(p.totalBytes()), p.bounds());
            }
        }
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
