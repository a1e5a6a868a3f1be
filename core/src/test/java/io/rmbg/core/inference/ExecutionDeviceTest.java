package io.rmbg.core.inference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExecutionDeviceTest {

    @Test
    void parsesCpu() {
        assertThat(ExecutionDevice.parse("cpu")).isEqualTo(ExecutionDevice.CPU);
        assertThat(ExecutionDevice.parse(" CPU ")).isEqualTo(ExecutionDevice.CPU);
        assertThat(ExecutionDevice.CPU.isCuda()).isFalse();
        assertThat(ExecutionDevice.CPU).hasToString("cpu");
    }

    @Test
    void parsesCudaWithAndWithoutIndex() {
        assertThat(ExecutionDevice.parse("cuda")).isEqualTo(ExecutionDevice.cuda(0));
        assertThat(ExecutionDevice.parse("CUDA:3"))
                .isEqualTo(new ExecutionDevice(ExecutionDevice.Kind.CUDA, 3));
        assertThat(ExecutionDevice.parse("cuda:12").index()).isEqualTo(12);
        assertThat(ExecutionDevice.parse("cuda:1").isCuda()).isTrue();
        assertThat(ExecutionDevice.cuda(2)).hasToString("cuda:2");
        assertThat(ExecutionDevice.parse(ExecutionDevice.cuda(2).toString()))
                .isEqualTo(ExecutionDevice.cuda(2));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(
            strings = {
                "gpu",
                "cuda:",
                "cuda:-1",
                "cuda:x",
                "cuda:1:2",
                "cuda 1",
                "cpu:0",
                "cuda:99999999999",
                "tensorrt"
            })
    void rejectsAnythingElseNamingTheAcceptedForms(String value) {
        assertThatThrownBy(() -> ExecutionDevice.parse(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + value + "'")
                .hasMessageContaining("'cpu', 'cuda' or 'cuda:N'");
    }

    @Test
    void rejectsInvalidIndices() {
        assertThatThrownBy(() -> ExecutionDevice.cuda(-1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ExecutionDevice(ExecutionDevice.Kind.CPU, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
