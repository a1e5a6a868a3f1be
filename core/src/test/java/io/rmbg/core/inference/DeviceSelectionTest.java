package io.rmbg.core.inference;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** model.device and the GPUs Flink assigned → the device of each subtask. */
class DeviceSelectionTest {
    private static final List<String> NONE = List.of();

    @Test
    void cpuStaysOnTheCpuWhateverFlinkAssigned() {
        assertThat(DeviceSelection.choose("cpu", List.of("0", "1"), 3).device())
                .isEqualTo(ExecutionDevice.CPU);
    }

    @Test
    void cudaSpreadsSubtasksOverTheAssignedGpusBySubtaskIndex() {
        List<String> assigned = List.of("3", "1");
        assertThat(DeviceSelection.choose("cuda", assigned, 0).device())
                .isEqualTo(ExecutionDevice.cuda(1));
        assertThat(DeviceSelection.choose("cuda", assigned, 1).device())
                .isEqualTo(ExecutionDevice.cuda(3));
        assertThat(DeviceSelection.choose("cuda", assigned, 2).device())
                .isEqualTo(ExecutionDevice.cuda(1));
        assertThat(DeviceSelection.choose(" CUDA ", assigned, 5).reason())
                .contains("Flink assigned GPUs [1, 3]", "subtask 5 takes GPU 3");
    }

    @Test
    void cudaWithoutAssignedGpusTakesGpuZero() {
        assertThat(DeviceSelection.choose("cuda", NONE, 4).device())
                .isEqualTo(ExecutionDevice.cuda(0));
    }

    @Test
    void anExplicitIndexOverridesWhatFlinkAssigned() {
        DeviceSelection.Choice choice = DeviceSelection.choose("cuda:2", List.of("0"), 0);
        assertThat(choice.device()).isEqualTo(ExecutionDevice.cuda(2));
        assertThat(choice.reason()).contains("overrides");
        assertThat(DeviceSelection.choose("cuda:0", List.of("0"), 0).reason())
                .doesNotContain("overrides");
    }

    @Test
    void autoUsesAnAssignedGpuOrElseTheCpu() {
        assertThat(DeviceSelection.choose("auto", List.of("0"), 7).device())
                .isEqualTo(ExecutionDevice.cuda(0));
        DeviceSelection.Choice cpu = DeviceSelection.choose("auto", NONE, 0);
        assertThat(cpu.device()).isEqualTo(ExecutionDevice.CPU);
        assertThat(cpu.reason()).contains("external-resource.gpu");
    }

    @Test
    void ignoresIndexesThatAreNotNumbersAndDuplicates() {
        assertThat(DeviceSelection.choose("cuda", List.of("GPU-9f2c", "", "2", "2"), 1).device())
                .isEqualTo(ExecutionDevice.cuda(2));
    }

    @Test
    void rejectsAnythingElseNamingTheAcceptedForms() {
        assertThatThrownBy(() -> DeviceSelection.choose("gpu", NONE, 0))
                .hasMessageContaining("invalid model.device 'gpu'")
                .hasMessageContaining("'auto'");
        assertThatThrownBy(() -> DeviceSelection.check("cuda:x")).hasMessageContaining("cuda:N");
        DeviceSelection.check("auto");
        DeviceSelection.check("cuda:1");
    }
}
