package io.rmbg.ops;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker/pgbackrest.conf for real, as far as this machine allows: Debian 12's pgBackRest (2.45,
 * installed by .ci/run) archives a real PostgreSQL's WAL through {@code archive_command} into the
 * {@code rmbg-backups} bucket of an S3 server, takes a full backup, and a point-in-time restore
 * with the command docs/operations.md §6 gives brings back the rows committed before the target and
 * not those after. Two things differ from docker-compose, each forced by 2.45: PostgreSQL 15 (2.45
 * predates 17) and an https endpoint (only 2.58+ speaks http, which the compose image requires);
 * the rest of the file is used as written.
 */
class WalArchiveRestoreITCase {
    private static final String KEY = "rmbg-wal";
    private static final String SECRET = "rmbg-wal-secret";

    @TempDir Path dir;

    @Test
    void walReachesTheBucketAndAPointInTimeRestoreStopsAtTheTarget() throws Exception {
        int s3Port = freePort();
        int pgPort = freePort();
        Path socket = Files.createDirectories(dir.resolve("sock"));
        Path data = dir.resolve("data");
        Path conf = dir.resolve("pgbackrest.conf");
        Files.writeString(conf, configuration(s3Port, pgPort, socket, data));
        S3Proxy s3 = s3(s3Port);
        try {
            String target;
            try (EmbeddedPostgres pg = server(data, pgPort, socket, conf, true)) {
                pgbackrest(conf, "stanza-create");
                pgbackrest(conf, "check"); // a WAL segment went through archive_command
                assertThat(pgbackrest(conf, "backup", "--type=full"))
                        .contains("backup command end: completed successfully");
                try (Connection c = pg.getPostgresDatabase().getConnection();
                        Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE t (v text)");
                    s.execute("INSERT INTO t VALUES ('before')");
                    Thread.sleep(1000);
                    target = text(s, "SELECT now()::text");
                    Thread.sleep(1000);
                    s.execute("INSERT INTO t VALUES ('after the target')");
                    // The segment holding both commits is closed and must reach the bucket.
                    waitForArchived(s, text(s, "SELECT pg_walfile_name(pg_switch_wal())"));
                }
            }
            assertThat(pgbackrest(conf, "info")).contains("status: ok").contains("full backup");

            // zonky removed the data directory on close: the volume is lost, the bucket is not.
            Files.createDirectories(data);
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
            pgbackrest(
                    conf,
                    "--delta",
                    "--type=time",
                    "--target=" + target,
                    "--target-action=promote",
                    "restore");
            try (EmbeddedPostgres pg = server(data, pgPort, socket, conf, false);
                    Connection c = pg.getPostgresDatabase().getConnection();
                    Statement s = c.createStatement()) {
                assertThat(text(s, "SELECT string_agg(v, ',') FROM t")).isEqualTo("before");
                assertThat(text(s, "SELECT pg_is_in_recovery()::text")).isEqualTo("false");
            }
        } finally {
            s3.stop();
        }
    }

    /** docker/pgbackrest.conf with only this machine's differences (each line must be there). */
    private static String configuration(int s3Port, int pgPort, Path socket, Path data)
            throws Exception {
        String compose = Files.readString(Path.of("../docker/pgbackrest.conf"));
        String conf = compose;
        List<String[]> swaps = new ArrayList<>();
        swaps.add(
                new String[] {
                    "repo1-s3-endpoint=http://minio:9000",
                    "repo1-s3-endpoint=127.0.0.1\nrepo1-storage-port="
                            + s3Port
                            + "\nrepo1-storage-verify-tls=n"
                });
        swaps.add(new String[] {"pg1-path=/var/lib/postgresql/data", "pg1-path=" + data});
        swaps.add(
                new String[] {
                    "pg1-socket-path=/var/run/postgresql",
                    "pg1-socket-path=" + socket + "\npg1-port=" + pgPort
                });
        for (String[] swap : swaps) {
            assertThat(conf).contains(swap[0]);
            conf = conf.replace(swap[0], swap[1]);
        }
        // docker-compose passes the keys in the environment; the server started here inherits
        // none, and its archive_command and restore_command need them.
        return conf
                + "lock-path="
                + socket.resolveSibling("lock")
                + "\nrepo1-s3-key="
                + KEY
                + "\nrepo1-s3-key-secret="
                + SECRET
                + "\n";
    }

    private S3Proxy s3(int port) throws Exception {
        Path keystore = dir.resolve("s3.jks");
        Process keytool =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "keytool")
                                        .toString(),
                                "-genkeypair",
                                "-alias",
                                "s3",
                                "-keyalg",
                                "RSA",
                                "-keysize",
                                "2048",
                                "-validity",
                                "2",
                                "-dname",
                                "CN=127.0.0.1",
                                "-keystore",
                                keystore.toString(),
                                "-storepass",
                                "password",
                                "-keypass",
                                "password",
                                "-noprompt")
                        .redirectErrorStream(true)
                        .start();
        String out = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor()).as(out).isZero();
        Path blobs = Files.createDirectories(dir.resolve("s3"));
        Files.createDirectories(blobs.resolve("rmbg-backups")); // minio-init makes the bucket
        S3Proxy proxy =
                S3Proxy.builder()
                        .blobStore(new FilesystemNio2BlobStore(blobs.toString()))
                        .secureEndpoint(URI.create("https://127.0.0.1:" + port))
                        .keyStore(keystore.toString(), "password")
                        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, KEY, SECRET)
                        .build();
        proxy.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"STARTED".equals(proxy.getState())) {
            assertThat(System.nanoTime()).as("s3proxy started").isLessThan(deadline);
            Thread.sleep(20);
        }
        return proxy;
    }

    /** PostgreSQL 15 with docker-compose.yml's archive settings. */
    private static EmbeddedPostgres server(
            Path data, int port, Path socket, Path conf, boolean fresh) throws Exception {
        File log = socket.resolveSibling("postgres.log").toFile();
        EmbeddedPostgres pg =
                EmbeddedPostgres.builder()
                        .setPgBinaryResolver(PgDumpBackupRestoreITCase.postgres15())
                        .setDataDirectory(data)
                        .setCleanDataDirectory(fresh)
                        .setPort(port)
                        .setServerConfig("wal_level", "replica")
                        .setServerConfig("archive_mode", "on")
                        .setServerConfig("archive_timeout", "300")
                        .setServerConfig("unix_socket_directories", socket.toString())
                        .setPGStartupWait(Duration.ofSeconds(120))
                        .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log))
                        .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log))
                        .start();
        if (fresh) {
            // zonky hands server settings to pg_ctl as one -o string, which splits a value with
            // spaces; archive_command is reloadable, so it is set the way an operator could.
            try (Connection c = pg.getPostgresDatabase().getConnection();
                    Statement s = c.createStatement()) {
                s.execute(
                        "ALTER SYSTEM SET archive_command = 'pgbackrest --config="
                                + conf
                                + " --stanza=rmbg archive-push %p'");
                s.execute("SELECT pg_reload_conf()");
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!text(s, "SHOW archive_command").startsWith("pgbackrest")) {
                    assertThat(System.nanoTime())
                            .as("archive_command reloaded")
                            .isLessThan(deadline);
                    Thread.sleep(50);
                }
            }
        }
        return pg;
    }

    private static String pgbackrest(Path conf, String... args) throws Exception {
        List<String> command =
                new ArrayList<>(List.of("pgbackrest", "--config=" + conf, "--stanza=rmbg"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("%s:%n%s", command, out).isZero();
        return out;
    }

    private static void waitForArchived(Statement s, String segment) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            String last = text(s, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver");
            if (last.compareTo(segment) >= 0) {
                return;
            }
            assertThat(System.nanoTime())
                    .as("segment %s archived (last: %s)", segment, last)
                    .isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static String text(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
