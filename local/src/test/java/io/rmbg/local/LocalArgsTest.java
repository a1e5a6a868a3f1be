package io.rmbg.local;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bin/rmbg local}'s own flags are taken out; everything else goes to the settings. */
class LocalArgsTest {
    @Test
    void ownFlagsAndSettingsAreSeparated() {
        LocalArgs args =
                LocalArgs.parse(
                        new String[] {
                            "--demo",
                            "--config",
                            "my.properties",
                            "--data-dir",
                            "/tmp/rmbg-data",
                            "--inference.capacity",
                            "8",
                            "--fresh"
                        });
        assertThat(args.demo()).isTrue();
        assertThat(args.fresh()).isTrue();
        assertThat(args.help()).isFalse();
        assertThat(args.dataDir()).isEqualTo(Path.of("/tmp/rmbg-data"));
        assertThat(args.configArgs())
                .containsExactly("--config", "my.properties", "--inference.capacity", "8");
    }

    @Test
    void byDefaultNoDemoAndTheDataDirUnderTheWorkingDirectory() {
        LocalArgs args = LocalArgs.parse(new String[0]);
        assertThat(args.demo()).isFalse();
        assertThat(args.fresh()).isFalse();
        assertThat(args.dataDir()).isEqualTo(Path.of(".local-data").toAbsolutePath());
        assertThat(args.configArgs()).isEqualTo(List.of());
    }

    @Test
    void helpStopsParsing() {
        assertThat(LocalArgs.parse(new String[] {"--demo", "-h", "--nonsense"}).help()).isTrue();
        assertThat(LocalArgs.parse(new String[] {"--help"}).help()).isTrue();
    }
}
