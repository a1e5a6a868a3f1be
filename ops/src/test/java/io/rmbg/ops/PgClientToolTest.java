package io.rmbg.ops;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Finding a client program's version, and handing it the JDBC URL's server. */
class PgClientToolTest {
    @TempDir Path dir;

    @Test
    void theMajorVersionIsReadFromVersionOutput() throws Exception {
        Path tool = script("pg_dump", "echo 'pg_dump (PostgreSQL) 16.4 (Debian 16.4-1.pgdg120+2)'");
        PgClientTool.Probe probe = PgClientTool.probe(tool.toString());
        assertThat(probe.problem()).isNull();
        assertThat(probe.tool().major()).isEqualTo(16);
    }

    @Test
    void aMissingOrBrokenProgramIsAReasonNotAFailure() throws Exception {
        assertThat(PgClientTool.probe(dir.resolve("pg_dump").toString()).problem())
                .startsWith("no pg_dump at " + dir.resolve("pg_dump"));
        assertThat(PgClientTool.probe("rmbg-no-such-pg_dump").problem())
                .startsWith("no rmbg-no-such-pg_dump on PATH");
        Path broken = script("pg_restore", "echo 'something else'; exit 3");
        assertThat(PgClientTool.probe(broken.toString()).problem())
                .contains("--version said: something else");
    }

    @Test
    void theJdbcUrlBecomesLibpqsEnvironment() {
        assertThat(
                        PgClientTool.libpqEnvironment(
                                "jdbc:postgresql://postgres:5433/rmbg?sslmode=require&x=1",
                                "postgres",
                                "secret"))
                .containsAllEntriesOf(
                        Map.of(
                                "PGHOST", "postgres",
                                "PGPORT", "5433",
                                "PGDATABASE", "rmbg",
                                "PGUSER", "postgres",
                                "PGPASSWORD", "secret",
                                "PGSSLMODE", "require"));
        assertThat(PgClientTool.libpqEnvironment("jdbc:postgresql://db/rmbg", "u", "p"))
                .containsEntry("PGPORT", "5432")
                .doesNotContainKey("PGSSLMODE");
        assertThatThrownBy(
                        () ->
                                PgClientTool.libpqEnvironment(
                                        "jdbc:postgresql://a:1,b:2/rmbg", "u", "p"))
                .hasMessageContaining("give one jdbc:postgresql://HOST:PORT/DATABASE URL");
    }

    @Test
    void aFailingRunReportsTheToolsOwnWords() throws Exception {
        Path tool =
                script("pg_dump", "echo \"pg_dump: error: no server at $PGHOST:$PGPORT\"; exit 1");
        PgClientTool pgDump = new PgClientTool(tool.toString(), 17);
        assertThatThrownBy(
                        () ->
                                pgDump.runAgainst(
                                        java.util.List.of("-Fc"),
                                        "jdbc:postgresql://db:6543/rmbg",
                                        "u",
                                        "p",
                                        1))
                .hasMessage("pg_dump exited with 1: pg_dump: error: no server at db:6543");
    }

    @Test
    void pgRestoreIsLookedForBesideAGivenPgDump() {
        OpsArgs p = OpsArgs.of(new String[] {"restore", "dir", "--pg-dump", "/opt/pg/bin/pg_dump"});
        assertThat(p.pgRestore(Map.of())).isEqualTo("/opt/pg/bin/pg_restore");
        assertThat(OpsArgs.of(new String[] {"restore", "dir"}).pgRestore(Map.of()))
                .isEqualTo("pg_restore");
        assertThat(
                        OpsArgs.of(new String[] {"backup", "dir"})
                                .pgDump(
                                        Map.of(
                                                "RMBG_PG_DUMP",
                                                "/usr/lib/postgresql/17/bin/pg_dump")))
                .isEqualTo("/usr/lib/postgresql/17/bin/pg_dump");
        assertThat(
                        OpsArgs.of(new String[] {"restore", "dir", "--pg-restore", "/x/pg_restore"})
                                .pgRestore(Map.of("RMBG_PG_RESTORE", "/y/pg_restore")))
                .isEqualTo("/x/pg_restore");
    }

    private Path script(String name, String body) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
