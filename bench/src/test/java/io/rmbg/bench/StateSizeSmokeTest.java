package io.rmbg.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The state measurement runs end to end on a few thousand jobs: every job passes, the per-job
 * states hold them, and the bytes per job are of the order docs/operations.md §5 reports (93 for a
 * million; a small run's fixed overhead weighs more).
 */
class StateSizeSmokeTest {
    private static final int JOBS = 20_000;
    private static final Pattern FINAL_LINE =
            Pattern.compile(
                    "state: jobs=20000 full_bytes=(\\d+) bytes_per_job=(\\d+) mib_per_million=\\d+"
                            + " incremental_upload_bytes=\\d+ checkpoints=\\d+ seconds=\\d+");

    @TempDir Path dir;

    @Test
    void aSmallRunMeasuresThePerJobStates() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        String last =
                new StateSizeBench(new PrintStream(printed, true, StandardCharsets.UTF_8))
                        .run(JOBS, 2, 100, dir);

        Matcher m = FINAL_LINE.matcher(last);
        assertThat(m.matches()).as(last).isTrue();
        assertThat(Long.parseLong(m.group(2))).isBetween(50L, 400L);
        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(output).contains("Claim job ids per user", "First result per job");
        assertThat(output.strip()).endsWith(last);
    }
}
