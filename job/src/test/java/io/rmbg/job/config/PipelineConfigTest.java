package io.rmbg.job.config;

import io.rmbg.core.inference.GpuOptions;
import io.rmbg.core.process.ModelOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PipelineConfigTest {
    @TempDir Path dir;

    @Test
    void defaultsAreTheLocalStack() {
        PipelineConfig c = PipelineConfig.defaults();
        assertThat(c.get(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS)).isEqualTo("localhost:9092");
        assertThat(c.s3().endpoint()).isEqualTo("http://localhost:9000");
        assertThat(c.s3().pathStyle()).isTrue();
        assertThat(c.imageLimits().maxPixels()).isEqualTo(50_000_000L);
        assertThat(c.imageLimits().maxInlineBytes()).isEqualTo(8L * 1024 * 1024);
        assertThat(c.model().profile()).isEqualTo("rmbg-2.0");
    }

    @Test
    void theShippedJobPropertiesAreValidAndNameEveryTunableSetting() throws Exception {
        Path shipped = Path.of("..", "conf", "job.properties");
        PipelineConfig c =
                PipelineConfig.fromArgs(new String[] {"--config", shipped.toString()}, Map.of());
        assertThat(c.get(ConfigKeys.MODEL_DEVICE)).isEqualTo("cpu");
        String text = Files.readString(shipped);
        for (String key :
                List.of(
                        ConfigKeys.INFERENCE_BATCH_SIZE,
                        ConfigKeys.INFERENCE_BATCH_TIMEOUT_MS,
                        ConfigKeys.INFERENCE_POSTPROCESS_THREADS,
                        ConfigKeys.MODEL_ADDITIONAL,
                        ConfigKeys.MODEL_CUDA_CONV_ALGO_SEARCH,
                        ConfigKeys.MODEL_TENSORRT_ENABLED,
                        ConfigKeys.SOURCE_ALLOWED,
                        ConfigKeys.S3_SOURCE_ENDPOINT,
                        ConfigKeys.JDBC_SOCKET_TIMEOUT_MS,
                        ConfigKeys.JDBC_STATEMENT_TIMEOUT_MS)) {
            assertThat(text).as(key).contains(key + "=");
        }
    }

    @Test
    void laterSourcesWin() throws Exception {
        Path file = dir.resolve("job.properties");
        Files.writeString(file, "model.device=cuda:1\njdbc.user=file-user\ninference.capacity=4\n");
        PipelineConfig c =
                PipelineConfig.fromArgs(
                        new String[] {"--config", file.toString(), "--inference.capacity", "32"},
                        Map.of(
                                "RMBG_JDBC_USER",
                                "env-user",
                                "RMBG_JDBC_PASSWORD",
                                "s3cr3t",
                                "PATH",
                                "/bin"));
        assertThat(c.get(ConfigKeys.MODEL_DEVICE)).isEqualTo("cuda:1");
        assertThat(c.get(ConfigKeys.JDBC_USER)).isEqualTo("env-user");
        assertThat(c.get(ConfigKeys.JDBC_PASSWORD)).isEqualTo("s3cr3t");
        assertThat(c.get(InferenceSettings.CAPACITY)).isEqualTo(32);
    }

    @Test
    void secretsNeverPrint() {
        PipelineConfig c =
                PipelineConfig.builder()
                        .set(ConfigKeys.JDBC_PASSWORD, "hunter2")
                        .set(ConfigKeys.S3_SECRET_KEY, "very-secret")
                        .build();
        assertThat(c.toString())
                .doesNotContain("hunter2")
                .doesNotContain("very-secret")
                .contains("****");
        assertThat(c.s3().toString()).doesNotContain("very-secret");
    }

    @Test
    void mistakesSayWhatIsWrong() {
        assertThatThrownBy(() -> PipelineConfig.builder().set("kafka.bootstrap", "x").build())
                .hasMessageContaining("unknown setting 'kafka.bootstrap'");
        assertThatThrownBy(
                        () ->
                                PipelineConfig.builder()
                                        .set(ConfigKeys.INFERENCE_CAPACITY, "many")
                                        .build())
                .hasMessageContaining("inference.capacity must be a whole number");
        assertThatThrownBy(
                        () ->
                                PipelineConfig.builder()
                                        .set(ConfigKeys.INFERENCE_TIMEOUT_MS, "0")
                                        .build())
                .hasMessageContaining("must be positive");
        assertThatThrownBy(
                        () -> PipelineConfig.builder().set(ConfigKeys.S3_PATH_STYLE, "yes").build())
                .hasMessageContaining("true or false");
        assertThatThrownBy(
                        () ->
                                PipelineConfig.builder()
                                        .set(ConfigKeys.KAFKA_STARTING_OFFSETS, "now")
                                        .build())
                .hasMessageContaining("earliest, latest or committed");
        assertThatThrownBy(() -> PipelineConfig.fromArgs(new String[] {"--model.path"}, Map.of()))
                .hasMessageContaining("needs a value");
        assertThatThrownBy(
                        () ->
                                PipelineConfig.fromArgs(
                                        new String[] {"--config", dir.resolve("nope").toString()},
                                        Map.of()))
                .hasMessageContaining("does not exist");
    }

    @Test
    void batchingDefaultsAndLimits() {
        PipelineConfig c = PipelineConfig.defaults();
        assertThat(c.get(InferenceSettings.BATCH_SIZE)).isEqualTo(4);
        assertThat(c.get(InferenceSettings.BATCH_TIMEOUT_MS)).isEqualTo(10);
        assertThat(
                        PipelineConfig.builder()
                                .set(ConfigKeys.INFERENCE_BATCH_SIZE, "1")
                                .set(ConfigKeys.INFERENCE_BATCH_TIMEOUT_MS, "0")
                                .build()
                                .get(InferenceSettings.BATCH_SIZE))
                .isEqualTo(1);
        assertThatThrownBy(
                        () ->
                                PipelineConfig.builder()
                                        .set(ConfigKeys.INFERENCE_BATCH_SIZE, "0")
                                        .build())
                .hasMessageContaining("inference.batch-size must be positive");
        assertThatThrownBy(
                        () ->
                                PipelineConfig.builder()
                                        .set(ConfigKeys.INFERENCE_BATCH_SIZE, "65")
                                        .set(ConfigKeys.INFERENCE_CAPACITY, "200")
                                        .build())
                .hasMessageContaining("at most 64");
        assertThatThrownBy(
                        () ->
                                PipelineConfig.builder()
                                        .set(ConfigKeys.INFERENCE_BATCH_SIZE, "8")
                                        .set(ConfigKeys.INFERENCE_CAPACITY, "4")
                                        .build())
                .hasMessageContaining("cannot exceed inference.capacity");
        assertThatThrownBy(
                        () ->
                                PipelineConfig.builder()
                                        .set(ConfigKeys.INFERENCE_BATCH_TIMEOUT_MS, "-1")
                                        .build())
                .hasMessageContaining("inference.batch-timeout-ms cannot be negative");
    }

    @Test
    void modelsDevicesAndGpuSettings() {
        ModelOptions defaults = PipelineConfig.defaults().model();
        assertThat(defaults.additionalModels()).isEmpty();
        assertThat(defaults.gpu()).isEqualTo(GpuOptions.DEFAULTS);

        ModelOptions model =
                PipelineConfig.builder()
                        .set(ConfigKeys.MODEL_DEVICE, "auto")
                        .set(
                                ConfigKeys.MODEL_ADDITIONAL,
                                " u2net=/models/u2net.onnx, RMBG-1.4 = /models/rmbg 1.4.onnx ")
                        .set(ConfigKeys.MODEL_CUDA_MEMORY_LIMIT_MB, "4096")
                        .set(ConfigKeys.MODEL_TENSORRT_ENABLED, "true")
                        .set(ConfigKeys.MODEL_TENSORRT_ENGINE_CACHE_DIR, "/cache/trt")
                        .build()
                        .model();
        assertThat(model.device()).isEqualTo("auto");
        assertThat(model.additionalModels())
                .containsExactly(
                        Map.entry("rmbg-1.4", "/models/rmbg 1.4.onnx"),
                        Map.entry("u2net", "/models/u2net.onnx"));
        assertThat(model.servedProfiles()).containsExactly("rmbg-2.0", "rmbg-1.4", "u2net");
        assertThat(model.pathOf("u2net")).contains("/models/u2net.onnx");
        assertThat(model.pathOf("isnet")).isEmpty();
        assertThat(model.gpu().cudaProviderOptions(0))
                .containsEntry("gpu_mem_limit", Long.toString(4096L << 20));
        assertThat(model.gpu().tensorRtProviderOptions(0))
                .containsEntry("trt_engine_cache_path", "/cache/trt");

        assertThatThrownBy(
                        () -> PipelineConfig.builder().set(ConfigKeys.MODEL_DEVICE, "gpu").build())
                .hasMessageContaining("invalid model.device 'gpu'");
        assertThatThrownBy(
                        () ->
                                PipelineConfig.builder()
                                        .set(ConfigKeys.MODEL_ADDITIONAL, "u2net")
                                        .build())
                .hasMessageContaining("not profile=file");
        assertThatThrownBy(
                        () ->
                                PipelineConfig.builder()
                                        .set(ConfigKeys.MODEL_ADDITIONAL, "sam=/m.onnx")
                                        .build())
                .hasMessageContaining("unknown model profile 'sam'");
        assertThatThrownBy(
                        () ->
                                PipelineConfig.builder()
                                        .set(ConfigKeys.MODEL_ADDITIONAL, "rmbg-2.0=/m.onnx")
                                        .build())
                .hasMessageContaining("default profile");
        assertThatThrownBy(
                        () ->
                                PipelineConfig.builder()
                                        .set(ConfigKeys.MODEL_CUDA_CONV_ALGO_SEARCH, "FASTEST")
                                        .build())
                .hasMessageContaining("model.cuda")
                .hasMessageContaining("HEURISTIC");
        assertThatThrownBy(
                        () ->
                                PipelineConfig.builder()
                                        .set(ConfigKeys.INFERENCE_POSTPROCESS_THREADS, "0")
                                        .build())
                .hasMessageContaining("inference.postprocess-threads must be positive");
    }
}
