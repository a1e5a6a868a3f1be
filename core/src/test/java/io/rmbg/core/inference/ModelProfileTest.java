package io.rmbg.core.inference;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelProfileTest {

    @Test
    void knowsTheBuiltInModels() {
        assertThat(ModelProfile.knownNames())
                .containsExactly("rmbg-2.0", "birefnet", "rmbg-1.4", "u2net", "isnet");

        ModelProfile rmbg = ModelProfile.named("rmbg-2.0");
        assertThat(rmbg).isSameAs(ModelProfile.RMBG_2_0);
        assertThat(rmbg.inputWidth()).isEqualTo(1024);
        assertThat(rmbg.inputHeight()).isEqualTo(1024);
        assertThat(rmbg.mean()).containsExactly(0.485f, 0.456f, 0.406f);
        assertThat(rmbg.std()).containsExactly(0.229f, 0.224f, 0.225f);
        assertThat(rmbg.scale()).isEqualTo(1f / 255f);
        assertThat(rmbg.activation()).isEqualTo(OutputActivation.AUTO);
        assertThat(rmbg.inputName()).isNull();
        assertThat(rmbg.outputName()).isNull();

        assertThat(ModelProfile.named("BiRefNet").activation()).isEqualTo(OutputActivation.AUTO);
        assertThat(ModelProfile.named("rmbg-1.4").mean()).containsExactly(0.5f, 0.5f, 0.5f);
        assertThat(ModelProfile.named("rmbg-1.4").std()).containsExactly(1f, 1f, 1f);
        assertThat(ModelProfile.named("rmbg-1.4").activation()).isEqualTo(OutputActivation.MIN_MAX);
        assertThat(ModelProfile.named("u2net").inputWidth()).isEqualTo(320);
        assertThat(ModelProfile.named("u2net").activation()).isEqualTo(OutputActivation.MIN_MAX);
        assertThat(ModelProfile.named(" isnet ").inputHeight()).isEqualTo(1024);
        assertThat(ModelProfile.named("isnet").activation()).isEqualTo(OutputActivation.NONE);
    }

    @Test
    void isnetFeedsTheModelWhatItsNpmPackageFeedsIt() {
        // @imgly/background-removal: bilinear resize to 1024², then (v - 128) / 256 per channel.
        ModelProfile isnet = ModelProfile.named("isnet").toBuilder().inputSize(2).build();
        Preprocessor preprocessor = new Preprocessor(isnet);
        int[] argb = {
            0xFF000000, 0xFF808080, 0xFFFFFFFF, 0xFF40C020
        }; // black, 128 grey, white, (64,192,32)
        java.nio.FloatBuffer tensor = java.nio.FloatBuffer.allocate(preprocessor.floatsPerImage());

        preprocessor.pack(new io.rmbg.core.image.RasterImage(2, 2, argb, false), tensor, 0);

        assertThat(tensor.array())
                .containsExactly(
                        new float[] {
                            -0.5f, 0f, 127f / 256f, -64f / 256f, // R plane
                            -0.5f, 0f, 127f / 256f, 64f / 256f, // G plane
                            -0.5f, 0f, 127f / 256f, -96f / 256f
                        }, // B plane
                        org.assertj.core.data.Offset.offset(1e-6f));
    }

    @Test
    void unknownNamesListTheKnownOnes() {
        assertThatThrownBy(() -> ModelProfile.named("sam"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'sam'")
                .hasMessageContaining("rmbg-2.0, birefnet, rmbg-1.4, u2net, isnet");
        assertThatThrownBy(() -> ModelProfile.named(null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void buildsCustomProfiles() {
        ModelProfile custom =
                ModelProfile.builder("custom")
                        .inputName("input")
                        .outputName("mask")
                        .inputSize(512, 384)
                        .mean(0.1f, 0.2f, 0.3f)
                        .std(0.4f, 0.5f, 0.6f)
                        .scale(1f)
                        .activation(OutputActivation.SIGMOID)
                        .build();

        assertThat(custom.name()).isEqualTo("custom");
        assertThat(custom.inputName()).isEqualTo("input");
        assertThat(custom.outputName()).isEqualTo("mask");
        assertThat(custom.inputWidth()).isEqualTo(512);
        assertThat(custom.inputHeight()).isEqualTo(384);
        assertThat(custom.mean(2)).isEqualTo(0.3f);
        assertThat(custom.std(1)).isEqualTo(0.5f);
        assertThat(custom.scale()).isEqualTo(1f);
        assertThat(custom.activation()).isEqualTo(OutputActivation.SIGMOID);
        assertThat(custom.toBuilder().build()).isEqualTo(custom).hasSameHashCodeAs(custom);
        assertThat(custom.toBuilder().inputSize(64).build()).isNotEqualTo(custom);
    }

    @Test
    void isImmutable() {
        float[] mean = {0.1f, 0.2f, 0.3f};
        ModelProfile profile = ModelProfile.builder("p").mean(mean).build();
        mean[0] = 9f;
        profile.mean()[1] = 9f;

        assertThat(profile.mean()).containsExactly(0.1f, 0.2f, 0.3f);
    }

    @Test
    void rejectsInvalidValues() {
        ModelProfileBuilder builder = ModelProfile.builder("p");
        assertThatThrownBy(() -> builder.inputSize(0, 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.mean(0.5f, 0.5f))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.std(1f, 0f, 1f))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.std(1f, Float.NaN, 1f))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.scale(-1f)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ModelProfile.builder(" "))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
