package io.rmbg.core.inference;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** How each activation maps raw outputs into 0..1, and counts the non-finite values it reads. */
class OutputActivationTest {
    @Test
    void activationsMapOutputsIntoZeroToOne() {
        float[] sigmoid = {0f, 100f, -100f, Float.NaN};
        OutputActivation.SIGMOID.apply(sigmoid);
        assertThat(sigmoid).containsExactly(new float[] {0.5f, 1f, 0f, 0f}, within(1e-6f));

        float[] none = {-0.1f, 0.3f, 1.2f, Float.NaN};
        OutputActivation.NONE.apply(none);
        assertThat(none).containsExactly(0f, 0.3f, 1f, 0f);

        float[] minMax = {2f, 4f, 3f};
        OutputActivation.MIN_MAX.apply(minMax);
        assertThat(minMax).containsExactly(0f, 1f, 0.5f);

        float[] flat = {0.7f, 0.7f};
        OutputActivation.MIN_MAX.apply(flat);
        assertThat(flat).containsExactly(0.7f, 0.7f);
    }

    @Test
    void activationsCountTheNonFiniteRawValuesTheyRead() {
        assertThat(
                        OutputActivation.SIGMOID.apply(
                                new float[] {0f, Float.NaN, Float.POSITIVE_INFINITY}))
                .isEqualTo(2);
        assertThat(OutputActivation.MIN_MAX.apply(new float[] {1f, Float.NEGATIVE_INFINITY, 2f}))
                .isEqualTo(1);
        assertThat(OutputActivation.NONE.apply(new float[] {0.5f, Float.NaN})).isEqualTo(1);
        assertThat(OutputActivation.SIGMOID.apply(new float[] {-100f, 0.5f, 100f})).isZero();
    }

    @Test
    void autoCannotBeApplied() {
        assertThatThrownBy(() -> OutputActivation.AUTO.apply(new float[] {0.5f}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("resolved at load time");
    }
}
