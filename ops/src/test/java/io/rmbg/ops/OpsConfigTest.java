package io.rmbg.ops;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OpsConfigTest {
    @Test
    void defaultsAreTheLocalStacks() throws Exception {
        OpsConfig c = OpsConfig.fromArgs(List.of(), Map.of());
        assertThat(c.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/rmbg");
        assertThat(c.s3().endpoint()).isEqualTo("http://localhost:9000");
        assertThat(c.s3().bucket()).isEqualTo("rmbg");
        assertThat(c.s3().pathStyle()).isTrue();
    }

    @Test
    void theJobsPropertiesFileThenTheEnvironmentThenArguments(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("job.properties");
        // The job's own file: settings the operations do not use are ignored.
        Files.writeString(
                file,
                "jdbc.url=jdbc:postgresql://db:5432/rmbg\njdbc.user=from-file\n"
                        + "s3.bucket=from-file\nmodel.path=/models/model.onnx\n");
        OpsConfig c =
                OpsConfig.fromArgs(
                        List.of("--config", file.toString(), "--s3.bucket", "from-args"),
                        Map.of("RMBG_JDBC_USER", "from-env", "RMBG_S3_ACCESS_KEY", "key"));
        assertThat(c.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/rmbg");
        assertThat(c.jdbcUser()).isEqualTo("from-env");
        assertThat(c.s3().bucket()).isEqualTo("from-args");
        assertThat(c.s3().accessKey()).isEqualTo("key");
    }

    @Test
    void aMistypedSettingIsNamed() {
        assertThatThrownBy(() -> OpsConfig.fromArgs(List.of("--jdbc.ulr", "x"), Map.of()))
                .hasMessageContaining("unknown setting --jdbc.ulr")
                .hasMessageContaining("jdbc.url");
        assertThatThrownBy(() -> OpsConfig.fromArgs(List.of("--jdbc.url"), Map.of()))
                .hasMessageContaining("--jdbc.url needs a value");
    }
}
