package io.rmbg.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The soak runs end to end on a few dozen tiny images: a row every ten images in the table and the
 * CSV, every image completed, nothing left in flight, and the machine-readable line last. Memory
 * figures over so short a run mean nothing, so neither they nor the verdict are asserted.
 */
class SoakSmokeTest {
    private static final int IMAGES = 60;
    private static final int EVERY = 10;
    private static final String FINAL_LINE =
            "soak: images=60 completed=60 failed=0 duration_s=\\d+ img_s=\\d+\\.\\d+"
                    + " rss_start_mib=\\d+ rss_end_mib=\\d+ rss_growth_pct=-?\\d+\\.\\d off_heap_start_mib=-?\\d+"
                    + " off_heap_end_mib=-?\\d+ heap_start_mib=(\\d+|na) heap_end_mib=(\\d+|na)"
                    + " heap_drained_mib=(\\d+|na) max_in_flight=\\d+"
                    + " max_in_flight_age_ms=\\d+ timeout_ms=120000 verdict=(pass|fail)";

    @TempDir Path dir;

    @Test
    void aTinySoakSamplesEveryTenImagesAndLeavesNothingInFlight() throws Exception {
        BenchOptions options =
                BenchOptions.parse(
                        new String[] {
                            "--soak",
                            "--images",
                            String.valueOf(IMAGES),
                            "--sample-every",
                            String.valueOf(EVERY),
                            "--width",
                            "160",
                            "--height",
                            "120",
                            "--distinct-images",
                            "2",
                            "--work-dir",
                            dir.toString()
                        });
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        SoakReport report =
                new Soak(new PrintStream(printed, true, StandardCharsets.UTF_8)).run(options);

        assertThat(report.completed()).isEqualTo(IMAGES);
        assertThat(report.failed()).isZero();
        assertThat(report.leftInFlight()).isZero();
        assertThat(report.maxInFlight()).isBetween(1L, (long) options.capacity());
        assertThat(report.maxInFlightAgeMs()).isLessThan(options.timeoutMs());
        assertThat(report.samples())
                .extracting(SoakSample::images)
                .containsExactly(10L, 20L, 30L, 40L, 50L, 60L);
        assertThat(report.warm().images()).isEqualTo(20); // the first sample past 20 % of 60
        assertThat(report.end().inFlight()).isZero();

        List<String> csv = Files.readAllLines(dir.resolve("soak.csv"));
        assertThat(csv).hasSize(1 + IMAGES / EVERY);
        assertThat(csv.get(0)).isEqualTo(SoakSample.CSV_HEADER);
        // ... in_flight, oldest_in_flight_ms, failed, live_heap_mib (empty where no full GC could
        // run)
        assertThat(csv.get(csv.size() - 1)).startsWith("60,").matches(".*,0,0,0,\\d*");

        String out = printed.toString(StandardCharsets.UTF_8);
        assertThat(out).contains(SoakSample.TABLE_HEADER, "soak summary: 60 images", "verdict");
        assertThat(out.strip().lines().reduce((a, b) -> b).orElseThrow()).matches(FINAL_LINE);
    }

    @Test
    void soakDefaultsAreTenThousandSmallImagesWithTheDemoModel() {
        BenchOptions soak = BenchOptions.parse(new String[] {"--soak"});
        assertThat(soak.soak()).isTrue();
        assertThat(soak.model()).isEqualTo("colour-key");
        assertThat(soak.images()).isEqualTo(10_000);
        assertThat(soak.width()).isEqualTo(640);
        assertThat(soak.height()).isEqualTo(480);
        assertThat(soak.sampleEvery()).isEqualTo(100);
        assertThat(soak.timeoutMs()).isEqualTo(120_000);

        BenchOptions overridden =
                BenchOptions.parse(new String[] {"--images", "500", "--soak", "--width", "320"});
        assertThat(overridden.images()).isEqualTo(500);
        assertThat(overridden.width()).isEqualTo(320);
        assertThat(overridden.sampleEvery()).isEqualTo(5);
    }
}
