package io.rmbg.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The database half of a backup as one {@code pg_dump -Fc} archive, {@code db.dump}: the whole
 * database (every table, partition, function, trigger, sequence position and grant), in the custom
 * format {@code pg_restore} reads. Used when a {@code pg_dump} at least as new as the server is at
 * hand ({@link PgClientTool}); otherwise the backup falls back to binary COPY.
 *
 * <p>Extensions are left out of the restore and created beforehand if missing: dropping and
 * re-creating one needs its owner, usually a superuser, while a trusted extension such as pg_trgm
 * may be created by the database owner.
 */
record PgDumpArchive(PgClientTool tool, String jdbcUrl, String user, String password) {
    static final String FILE = "db.dump";

    /** In backup.properties: the major version of the pg_dump that wrote db.dump. */
    static final String DUMP_MAJOR = "pg_dump.major";

    /**
     * A TOC entry pg_restore creates: kind, schema, name (a function's with its argument types).
     */
    private static final Pattern DROPPABLE_ENTRY =
            Pattern.compile(
                    "^\\d+; \\d+ \\d+ (TABLE|SEQUENCE|VIEW|MATERIALIZED VIEW|FUNCTION)"
                            // not TABLE DATA, TABLE ATTACH, SEQUENCE SET, SEQUENCE OWNED BY
                            + " (?!(?:DATA|ATTACH|SET|OWNED BY) )(\\S+) ([^\\s(]+(?:\\([^)]*\\))?) ");

    private static final Pattern EXTENSION_ENTRY =
            Pattern.compile("^\\s*\\d+;\\s+\\d+\\s+\\d+\\s+EXTENSION\\s+\\S+\\s+(\\S+)");
    private static final Pattern EXTENSION_COMMENT =
            Pattern.compile("^\\s*\\d+;\\s+\\d+\\s+\\d+\\s+COMMENT\\s+\\S+\\s+EXTENSION\\s");

    /** A pg_dump for this server, or null after printing on one line why COPY is used instead. */
    static PgDumpArchive forBackup(
            Connection db, String pgDump, OpsConfig config, java.io.PrintStream out)
            throws SQLException {
        int server = db.getMetaData().getDatabaseMajorVersion();
        PgClientTool.Probe probe = PgClientTool.probe(pgDump);
        String why;
        if (probe.tool() == null) {
            why = probe.problem();
        } else if (probe.tool().major() < server) {
            why =
                    "pg_dump "
                            + probe.tool().major()
                            + " refuses the newer server (PostgreSQL "
                            + server
                            + ")";
        } else {
            return new PgDumpArchive(
                    probe.tool(), config.jdbcUrl(), config.jdbcUser(), config.jdbcPassword());
        }
        out.println(
                "backup: "
                        + why
                        + ": tables written with binary COPY instead (for a pg_dump -Fc"
                        + " archive give pg_dump "
                        + server
                        + " or newer with --pg-dump PATH or RMBG_PG_DUMP)");
        return null;
    }

    /**
     * The pg_restore for the archive in {@code backup}; fails saying which version is needed when
     * the one given is missing or older than the server or the pg_dump that wrote the archive.
     */
    static PgDumpArchive forRestore(Connection db, String pgRestore, OpsConfig config, Path backup)
            throws SQLException, IOException {
        int needed = db.getMetaData().getDatabaseMajorVersion();
        Path props = backup.resolve("backup.properties");
        if (Files.isRegularFile(props)) {
            Properties p = new Properties();
            try (var in = Files.newBufferedReader(props, StandardCharsets.UTF_8)) {
                p.load(in);
            }
            needed = Math.max(needed, Integer.parseInt(p.getProperty(DUMP_MAJOR, "0")));
        }
        PgClientTool.Probe probe = PgClientTool.probe(pgRestore);
        if (probe.tool() == null || probe.tool().major() < needed) {
            throw new IllegalStateException(
                    backup.resolve(FILE)
                            + " needs pg_restore "
                            + needed
                            + " or newer (the newer of the server and the pg_dump that wrote"
                            + " it), but there is "
                            + (probe.tool() == null
                                    ? probe.problem()
                                    : "pg_restore " + probe.tool().major())
                            + ": give one with --pg-restore PATH or RMBG_PG_RESTORE");
        }
        return new PgDumpArchive(
                probe.tool(), config.jdbcUrl(), config.jdbcUser(), config.jdbcPassword());
    }

    /** Writes {@code file} from the exported snapshot {@code snapshot} (pg_export_snapshot()). */
    void dump(Path file, String snapshot) throws IOException {
        tool.runAgainst(
                List.of(
                        "--format=custom",
                        "--no-password",
                        "--snapshot=" + snapshot,
                        "--file=" + file.toAbsolutePath()),
                jdbcUrl,
                user,
                password,
                24 * 60);
    }

    /**
     * Restores {@code file} over the database: the archive's tables, sequences, views and functions
     * are dropped first where present (one JDBC transaction), then pg_restore creates and fills
     * them in one transaction. Not {@code pg_restore --clean}: it drops a partition's inherited
     * primary key before its parent's and fails ("cannot drop inherited constraint"). The caller
     * has made sure they hold no rows unless the user asked to replace them; if pg_restore then
     * fails, the database lacks the store's tables and restore can simply be run again. Objects
     * belong to the restoring role ({@code --no-owner}): restore as the schema's owner.
     */
    void restore(Connection db, Path file) throws IOException, SQLException {
        Path work = Files.createTempDirectory("rmbg-restore");
        try {
            Path list = work.resolve("toc.list");
            List<String> keep = new ArrayList<>();
            Set<String> extensions = new LinkedHashSet<>();
            String toc =
                    tool.runAgainst(
                            List.of("--list", file.toAbsolutePath().toString()),
                            jdbcUrl,
                            user,
                            password,
                            10);
            for (String line : toc.lines().toList()) {
                Matcher ext = EXTENSION_ENTRY.matcher(line);
                if (ext.find()) {
                    extensions.add(ext.group(1));
                } else if (!EXTENSION_COMMENT.matcher(line).find()) {
                    keep.add(line);
                }
            }
            Files.write(list, keep, StandardCharsets.UTF_8);
            dropObjectsOf(db, keep);
            try (Statement s = db.createStatement()) {
                for (String extension : extensions) {
                    s.execute(
                            "CREATE EXTENSION IF NOT EXISTS \""
                                    + extension.replace("\"", "\"\"")
                                    + "\"");
                }
            }
            tool.runAgainst(
                    List.of(
                            "--no-owner",
                            "--single-transaction",
                            "--exit-on-error",
                            "--no-password",
                            "--use-list=" + list,
                            "--dbname=" + libpqDatabase(),
                            file.toAbsolutePath().toString()),
                    jdbcUrl,
                    user,
                    password,
                    24 * 60);
        } finally {
            try (var files = Files.list(work)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(work);
        }
    }

    /**
     * Drops what the archive's table of contents creates ({@code 215; 1259 16390 TABLE public
     * image_process_jobs rmbg}), with CASCADE: a partitioned table takes its partitions, a table
     * its triggers, sequences and indexes.
     */
    private static void dropObjectsOf(Connection db, List<String> toc) throws SQLException {
        boolean auto = db.getAutoCommit();
        db.setAutoCommit(false);
        try (Statement s = db.createStatement()) {
            for (String line : toc) {
                Matcher m = DROPPABLE_ENTRY.matcher(line);
                if (m.find()) {
                    String kind = m.group(1);
                    s.execute(
                            "DROP "
                                    + kind
                                    + " IF EXISTS "
                                    + quoted(m.group(2))
                                    + "."
                                    + (kind.equals("FUNCTION") ? m.group(3) : quoted(m.group(3)))
                                    + " CASCADE");
                }
            }
            db.commit();
        } catch (SQLException | RuntimeException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(auto);
        }
    }

    private static String quoted(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** pg_restore restores into {@code --dbname} only; PGDATABASE alone would not do. */
    private String libpqDatabase() {
        return PgClientTool.libpqEnvironment(jdbcUrl, user, password).get("PGDATABASE");
    }
}
