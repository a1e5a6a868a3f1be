package io.rmbg.job;

import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.testkit.SyntheticModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A model that cannot load stops the job before it is submitted, saying which setting to fix. */
class ModelPreflightTest {
    @TempDir static Path dir;
    private static Path good;

    @BeforeAll
    static void writeModels() throws Exception {
        good = dir.resolve("colour-key-320.onnx");
        SyntheticModels.writeColourKeyModel(good, 320);
    }

    private static PipelineConfig config(String path, String profile) {
        return PipelineConfig.builder()
                .set(ConfigKeys.MODEL_PATH, path)
                .set(ConfigKeys.MODEL_PROFILE, profile)
                .build();
    }

    @Test
    void aModelThatLoadsPasses() {
        assertThatCode(() -> ModelPreflight.check(config(good.toString(), "u2net")))
                .doesNotThrowAnyException();
    }

    @Test
    void aMissingFileSaysWhatToDo() {
        Path missing = dir.resolve("absent/model.onnx");
        assertThatThrownBy(() -> ModelPreflight.check(config(missing.toString(), "rmbg-2.0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model.path " + missing + " does not exist")
                .hasMessageContaining("bin/rmbg models pull")
                .hasMessageContaining("model.check-on-client=false");
    }

    @Test
    void flinkRunStopsBeforeSubmittingWhenTheModelIsMissing() {
        assertThatThrownBy(
                        () ->
                                RmbgJob.main(
                                        new String[] {
                                            "--model.path", dir.resolve("nope.onnx").toString()
                                        }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void aDirectoryIsNotAModel() {
        assertThatThrownBy(() -> ModelPreflight.check(config(dir.toString(), "rmbg-2.0")))
                .hasMessageContaining("is not a file");
    }

    @Test
    void aFileThatIsNotAnOnnxModelCannotBeLoaded() throws Exception {
        Path text = Files.writeString(dir.resolve("readme.onnx"), "not a model");
        assertThatThrownBy(() -> ModelPreflight.check(config(text.toString(), "rmbg-2.0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be loaded as profile 'rmbg-2.0'");
    }

    @Test
    void aModelOfTheWrongSignatureCannotBeLoadedAsItsProfile() {
        // A 320² model declared as RMBG-2.0, which takes 1024².
        assertThatThrownBy(() -> ModelPreflight.check(config(good.toString(), "rmbg-2.0")))
                .hasMessageContaining("cannot be loaded as profile 'rmbg-2.0'")
                .hasMessageContaining("1024");
    }

    @Test
    void anAdditionalModelIsCheckedToo() {
        PipelineConfig config =
                config(good.toString(), "u2net").toBuilder()
                        .set(ConfigKeys.MODEL_ADDITIONAL, "isnet=" + dir.resolve("isnet.onnx"))
                        .build();
        assertThatThrownBy(() -> ModelPreflight.check(config))
                .hasMessageContaining("model.additional (isnet)");
    }

    @Test
    void theCheckCanBeTurnedOffForModelsThatExistOnlyOnTheTaskManagers() {
        PipelineConfig config =
                config("/models/only-on-taskmanagers.onnx", "rmbg-2.0").toBuilder()
                        .set(ConfigKeys.MODEL_CHECK_ON_CLIENT, "false")
                        .build();
        assertThatCode(() -> ModelPreflight.check(config)).doesNotThrowAnyException();
    }
}
