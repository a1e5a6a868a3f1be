package io.rmbg.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The benchmark runs end to end on a handful of small images and ends with its machine-readable
 * line. Figures are printed by {@code bench/run.sh}, never asserted: this only checks the plumbing.
 */
class BenchSmokeTest {
    private static final String FINAL_LINE =
            "bench: pipeline_img_s=\\d+\\.\\d+ bare_img_s=\\d+\\.\\d+"
                    + " efficiency=\\d+\\.\\d+ cpu_ms_per_image=-?\\d+\\.\\d+ rss_growth_pct=-?\\d+\\.\\d+";

    @TempDir Path dir;

    @Test
    void aTinyRunEndsWithTheMachineReadableLine() throws Exception {
        BenchOptions options =
                BenchOptions.parse(
                        new String[] {
                            "--model", "colour-key", "--width", "160", "--height", "120",
                                    "--distinct-images", "2",
                            "--images", "6", "--sweep-images", "3", "--batch-sizes", "2",
                                    "--batch-size", "2",
                            "--work-dir", dir.resolve("work").toString()
                        });
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        String line =
                new Bench(new PrintStream(printed, true, StandardCharsets.UTF_8)).run(options);

        assertThat(line).matches(FINAL_LINE);
        String report = printed.toString(StandardCharsets.UTF_8);
        assertThat(report)
                .contains(
                        "per-stage ms per image",
                        "CPU stages, old vs new path",
                        "decoded pixels identical: yes",
                        "main run with the old CPU path",
                        "cpu: old_cpu_ms_per_image=",
                        "bare in-process loop",
                        "Flink path")
                .doesNotContain("FAILED");
        // The plots land next to the work directory (bench/target/ for bench/run.sh).
        for (String plot : new String[] {"cpu-stages.png", "throughput.png"}) {
            assertThat(ImageIO.read(dir.resolve(plot).toFile())).as(plot).isNotNull();
        }
        assertThat(report.strip()).endsWith(line);
    }

    @Test
    void optionsHaveSmallDefaultsAndSayWhatIsWrong() {
        BenchOptions defaults = BenchOptions.parse(new String[0]);
        assertThat(defaults.model()).isEqualTo("conv");
        assertThat(defaults.width()).isEqualTo(1920);
        assertThat(defaults.height()).isEqualTo(1080);
        assertThat(defaults.batchSizes()).containsExactly(1, 2, 4);
        assertThat(BenchOptions.parse(new String[] {"--model", "color-key"}).model())
                .isEqualTo("colour-key");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--model", "resnet"}))
                .hasMessageContaining("conv or colour-key");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--images"}))
                .hasMessageContaining("needs a value");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--frobnicate", "1"}))
                .hasMessageContaining("unknown option");
    }

    @Test
    void theDefaultConvStackCostsAboutFourAndAHalfGmac() {
        assertThat(BenchModels.convGmac(9, 8, 1024)).isCloseTo(4.46, within(0.01));
    }
}
