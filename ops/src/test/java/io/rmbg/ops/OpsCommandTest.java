package io.rmbg.ops;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the command says before it connects to anything. */
class OpsCommandTest {
    @Test
    void withoutACommandItPrintsTheUsage() {
        assertThat(run()).startsWith("2\n").contains("bin/rmbg maintain --gc [--apply]");
    }

    @Test
    void mistakesAreNamed() {
        assertThat(run("maintian")).startsWith("2\n").contains("unknown command 'maintian'");
        assertThat(run("maintain", "--grace-hours", "a day")).startsWith("2\n").contains("a day");
        assertThat(run("maintain", "--grace-hours")).contains("--grace-hours needs a number");
    }

    @Test
    void maintainNeedsToBeToldWhatAndBackupWhere() {
        // Nothing listens on port 1: these are answered before any connection is tried.
        String unreachable = "jdbc:postgresql://127.0.0.1:1/rmbg";
        assertThat(run("maintain", "--apply", "--jdbc.url", unreachable))
                .startsWith("2\n")
                .contains("maintain needs --gc, --retention, --reindex or --partition");
        assertThat(run("backup", "--jdbc.url", unreachable))
                .startsWith("2\n")
                .contains("backup needs one directory: backup DIR");
        assertThat(run("restore", "a", "b")).contains("restore needs one directory");
    }

    private static String run(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int rc =
                new OpsCommand(new PrintStream(bytes, true, StandardCharsets.UTF_8))
                        .run(args, Map.of());
        return rc + "\n" + bytes.toString(StandardCharsets.UTF_8);
    }
}
