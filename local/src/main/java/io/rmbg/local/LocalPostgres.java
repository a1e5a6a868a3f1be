package io.rmbg.local;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real PostgreSQL server (embedded binaries) with the project's database, user and schema. The
 * data directory persists unless the caller cleans it.
 */
public final class LocalPostgres implements AutoCloseable {
    public static final String DATABASE = "rmbg";

    private final EmbeddedPostgres server;
    private final int port;

    private LocalPostgres(EmbeddedPostgres server, int port) {
        this.server = server;
        this.port = port;
    }

    public static LocalPostgres start(
            Path dataDir, int port, String user, String password, String schemaSql)
            throws Exception {
        return start(dataDir, port, user, password, schemaSql, null);
    }

    /**
     * @param binaries the server's binaries archive; null: those on the classpath (PostgreSQL 17).
     *     Tests pass another major version (pg_dump's version rule is tested against 15)
     */
    public static LocalPostgres start(
            Path dataDir,
            int port,
            String user,
            String password,
            String schemaSql,
            PgBinaryResolver binaries)
            throws Exception {
        Files.createDirectories(dataDir.getParent());
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
        if (binaries != null) {
            builder.setPgBinaryResolver(binaries);
        }
        if (port != 0) {
            builder.setPort(port); // 0: the library picks a free port
        }
        EmbeddedPostgres server =
                builder.setDataDirectory(dataDir)
                        .setCleanDataDirectory(false)
                        .setRegisterShutdownHook(false)
                        .setServerConfig("max_connections", "100")
                        .setServerConfig("listen_addresses", "127.0.0.1")
                        .setPGStartupWait(java.time.Duration.ofSeconds(60))
                        .start();
        LocalPostgres pg = new LocalPostgres(server, server.getPort());
        pg.bootstrap(user, password, schemaSql);
        return pg;
    }

    private void bootstrap(String user, String password, String schemaSql) throws SQLException {
        try (Connection c =
                        DriverManager.getConnection(jdbcUrl("postgres"), "postgres", "postgres");
                Statement s = c.createStatement()) {
            if (!exists(
                    s,
                    "SELECT 1 FROM pg_roles WHERE rolname = '" + user.replace("'", "''") + "'")) {
                s.execute(
                        "CREATE ROLE \""
                                + user
                                + "\" LOGIN PASSWORD '"
                                + password.replace("'", "''")
                                + "'");
            }
            if (!exists(s, "SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                s.execute("CREATE DATABASE " + DATABASE + " OWNER \"" + user + "\"");
            }
        }
        // Extensions need a superuser; the tables belong to the application's user.
        try (Connection c = DriverManager.getConnection(jdbcUrl(DATABASE), "postgres", "postgres");
                Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm");
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl(DATABASE), user, password);
                Statement s = c.createStatement()) {
            s.execute(schemaSql);
        }
    }

    private static boolean exists(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            return rs.next();
        }
    }

    public int port() {
        return port;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public String jdbcUrl() {
        return jdbcUrl(DATABASE);
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
