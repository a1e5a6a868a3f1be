package io.rmbg.core.inference;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/** The provider options a GPU session gets, in ONNX Runtime's own keys. */
class GpuOptionsTest {

    @Test
    void defaultsSearchConvolutionsHeuristicallyAndGrowArenasAsRequested() {
        assertThat(GpuOptions.DEFAULTS.cudaProviderOptions(1))
                .containsExactly(
                        entry("device_id", "1"),
                        entry("cudnn_conv_algo_search", "HEURISTIC"),
                        entry("arena_extend_strategy", "kSameAsRequested"));
        assertThat(GpuOptions.DEFAULTS.tensorRt()).isFalse();
    }

    @Test
    void aMemoryLimitCapsTheSessionsArena() {
        GpuOptions options =
                new GpuOptions("EXHAUSTIVE", "kNextPowerOfTwo", 6L << 30, false, true, null);
        assertThat(options.cudaProviderOptions(0))
                .containsEntry("gpu_mem_limit", "6442450944")
                .containsEntry("cudnn_conv_algo_search", "EXHAUSTIVE")
                .containsEntry("arena_extend_strategy", "kNextPowerOfTwo");
    }

    @Test
    void tensorRtBuildsFp16EnginesAndCachesThemWhenGivenADirectory() {
        GpuOptions cached =
                new GpuOptions("HEURISTIC", "kSameAsRequested", 0, true, true, "/var/cache/trt");
        assertThat(cached.tensorRtProviderOptions(2))
                .containsExactly(
                        entry("device_id", "2"),
                        entry("trt_fp16_enable", "1"),
                        entry("trt_engine_cache_enable", "1"),
                        entry("trt_engine_cache_path", "/var/cache/trt"));

        GpuOptions uncached = new GpuOptions("HEURISTIC", "kSameAsRequested", 0, true, false, "  ");
        assertThat(uncached.tensorRtEngineCacheDir()).isNull();
        assertThat(uncached.tensorRtProviderOptions(0))
                .containsExactly(entry("device_id", "0"), entry("trt_fp16_enable", "0"));
    }

    @Test
    void rejectsValuesOnnxRuntimeWouldNotTake() {
        assertThatThrownBy(
                        () -> new GpuOptions("heuristic", "kSameAsRequested", 0, false, true, null))
                .hasMessageContaining("HEURISTIC, EXHAUSTIVE, DEFAULT")
                .hasMessageContaining("'heuristic'");
        assertThatThrownBy(
                        () -> new GpuOptions("HEURISTIC", "sameAsRequested", 0, false, true, null))
                .hasMessageContaining("kSameAsRequested");
        assertThatThrownBy(
                        () ->
                                new GpuOptions(
                                        "HEURISTIC", "kSameAsRequested", -1, false, true, null))
                .hasMessageContaining("negative");
    }
}
